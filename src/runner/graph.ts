/**
 * Which steps may start: a step is ready once every step it depends on has
 * completed. Ready steps come out in plan order, so runs are reproducible.
 * Works on step indexes over the validator's graph (one Map lookup per edge,
 * done once when the plan was checked): a 2,000-step plan with 100,000 edges
 * is scheduled in linear time and without a string per edge.
 */
import type { Plan } from "../schema/types.generated.js";
import { stepGraph, type StepGraph } from "../validator/rules/graph.js";

export class Scheduler {
  private readonly waitingOn: Int32Array;
  private readonly dependentsAt: Int32Array;
  private readonly dependents: Int32Array;
  /** Ready step indexes, a min-heap: the lowest index (earliest in the plan) comes out first. */
  private readonly ready: number[] = [];
  private readonly started: Uint8Array;

  /** `done`: steps already completed (a resumed run); they are never handed out. */
  constructor(
    private readonly plan: Plan,
    done: ReadonlySet<string> = new Set(),
    graph: StepGraph = stepGraph(plan),
  ) {
    const n = plan.steps.length;
    const { offsets, targets } = graph;
    // Locals, not fields, in the loops over every edge: a 100,000-edge plan is scheduled before each run.
    const started = new Uint8Array(n);
    for (const id of done) {
      const i = graph.index.get(id);
      if (i !== undefined) started[i] = 1;
    }
    // Invert the edges: who waits for step j.
    const waitingOn = new Int32Array(n);
    const count = new Int32Array(n + 1);
    for (let i = 0; i < n; i++) {
      const end = offsets[i + 1]!;
      for (let e = offsets[i]!; e < end; e++) {
        const j = targets[e]!;
        if (started[j] === 1) continue;
        waitingOn[i]!++;
        count[j + 1]!++;
      }
    }
    for (let j = 0; j < n; j++) count[j + 1]! += count[j]!;
    const dependents = new Int32Array(count[n]!);
    const fill = count.slice(0, n);
    for (let i = 0; i < n; i++) {
      const end = offsets[i + 1]!;
      for (let e = offsets[i]!; e < end; e++) {
        const j = targets[e]!;
        if (started[j] === 0) dependents[fill[j]!++] = i;
      }
    }
    this.started = started;
    this.waitingOn = waitingOn;
    this.dependentsAt = count;
    this.dependents = dependents;
    for (let i = 0; i < n; i++) if (started[i] === 0 && waitingOn[i] === 0) this.push(i);
    this.index = graph.index;
  }

  private readonly index: Map<string, number>;

  /** The next ready step in plan order, or undefined. */
  next(): string | undefined {
    const i = this.pop();
    if (i === undefined) return undefined;
    this.started[i] = 1;
    return this.plan.steps[i]!.id;
  }

  /** The step's place in the plan (plan order decides which held step starts first). */
  indexOf(id: string): number {
    return this.index.get(id)!;
  }

  /** Marks a step completed, releasing the steps that waited only for it. */
  complete(id: string): void {
    const j = this.index.get(id);
    if (j === undefined) return;
    for (let e = this.dependentsAt[j]!; e < this.dependentsAt[j + 1]!; e++) {
      const i = this.dependents[e]!;
      if (--this.waitingOn[i]! === 0 && !this.started[i]) this.push(i);
    }
  }

  /** Steps never handed out. */
  notStarted(): string[] {
    return this.plan.steps.filter((_, i) => !this.started[i]).map((s) => s.id);
  }

  private push(i: number): void {
    const heap = this.ready;
    heap.push(i);
    for (let k = heap.length - 1; k > 0; ) {
      const parent = (k - 1) >> 1;
      if (heap[parent]! <= heap[k]!) break;
      [heap[parent], heap[k]] = [heap[k]!, heap[parent]!];
      k = parent;
    }
  }

  private pop(): number | undefined {
    const heap = this.ready;
    if (heap.length === 0) return undefined;
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      for (let k = 0; ; ) {
        const l = 2 * k + 1;
        const r = l + 1;
        let m = k;
        if (l < heap.length && heap[l]! < heap[m]!) m = l;
        if (r < heap.length && heap[r]! < heap[m]!) m = r;
        if (m === k) break;
        [heap[m], heap[k]] = [heap[k]!, heap[m]!];
        k = m;
      }
    }
    return top;
  }
}
