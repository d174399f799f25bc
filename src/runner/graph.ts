/**
 * Which steps may start: a step is ready once every step it depends on has
 * completed. Ready steps come out in plan order, so runs are reproducible.
 */
import type { Plan } from "../schema/types.generated.js";

export class Scheduler {
  private readonly waitingOn = new Map<string, number>();
  private readonly dependents = new Map<string, string[]>();
  private readonly order = new Map<string, number>();
  private readonly ready: string[] = [];
  private readonly started = new Set<string>();

  /** `done`: steps already completed (a resumed run); they are never handed out. */
  constructor(plan: Plan, done: ReadonlySet<string> = new Set()) {
    plan.steps.forEach((step, i) => {
      this.order.set(step.id, i);
      const deps = (step.dependsOn ?? []).filter((d) => !done.has(d));
      this.waitingOn.set(step.id, deps.length);
      for (const d of deps) this.dependents.set(d, [...(this.dependents.get(d) ?? []), step.id]);
    });
    for (const step of plan.steps) {
      if (done.has(step.id)) this.started.add(step.id);
      else if (this.waitingOn.get(step.id) === 0) this.ready.push(step.id);
    }
  }

  /** The next ready step in plan order, or undefined. */
  next(): string | undefined {
    if (this.ready.length === 0) return undefined;
    let best = 0;
    for (let i = 1; i < this.ready.length; i++)
      if (this.order.get(this.ready[i]!)! < this.order.get(this.ready[best]!)!) best = i;
    const [id] = this.ready.splice(best, 1);
    this.started.add(id!);
    return id;
  }

  /** Marks a step completed, releasing the steps that waited only for it. */
  complete(id: string): void {
    for (const next of this.dependents.get(id) ?? []) {
      const n = this.waitingOn.get(next)! - 1;
      this.waitingOn.set(next, n);
      if (n === 0 && !this.started.has(next)) this.ready.push(next);
    }
  }

  /** Steps never handed out. */
  notStarted(): string[] {
    return [...this.order.keys()].filter((id) => !this.started.has(id));
  }
}
