// The runner's bench workloads (issue 16): DAGs of steps with a nominal latency each, a registry of
// controlled-latency tools, and the two executors planfile is measured against: the ideal one, and the
// least a durable one must do.
import { closeSync, fdatasync, mkdirSync, openSync, unlinkSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { Registry, type InlineTool } from "../src/registry/index.js";
import type { Plan, Step } from "../src/schema/types.generated.js";

/** A step of a workload: its id, how long its tool call takes, and what it waits for. */
export interface Node {
  id: string;
  ms: number;
  deps: string[];
}

/** Every latency the workloads use gets its own tool, so a step's args stay empty and its latency exact. */
export const wait = (ms: number): (() => unknown) =>
  ms === 0 ? () => ({ ok: true }) : () => new Promise((r) => setTimeout(() => r({ ok: true }), ms));

export function toolName(ms: number, idempotent: boolean): string {
  return `bench.${idempotent ? "idem" : "once"}${ms}`;
}

/** An in-process write tool of the benchmarks, with empty schemas. */
export function benchTool(name: string, idempotent: boolean, handler: () => unknown): InlineTool {
  return {
    name,
    description: name,
    effect: "write",
    idempotent,
    input: { type: "object" },
    output: { type: "object" },
    handler,
  } as unknown as InlineTool;
}

export function registry(dir: string, nodes: Node[]): Registry {
  const latencies = [...new Set(nodes.map((n) => n.ms))];
  const tools = latencies.flatMap((ms) =>
    [true, false].map((idempotent) => benchTool(toolName(ms, idempotent), idempotent, wait(ms))),
  );
  return new Registry(dir).define(...tools);
}

/** A bench step: no args, nothing to undo. */
export function benchStep(id: string, tool: string, dependsOn: string[]): Step {
  return {
    id,
    tool,
    args: {},
    expectedOutcome: "ok",
    rollback: { none: "bench" },
    ...(dependsOn.length ? { dependsOn } : {}),
  };
}

export function benchPlan(steps: Step[]): Plan {
  return {
    apiVersion: "planfile/v1",
    kind: "Plan",
    metadata: { name: "bench", goal: "bench" },
    requiresConfirmation: false,
    riskySteps: [],
    steps: steps as Plan["steps"],
  };
}

/** A plan of `n` steps of `tool`, each depending on the one before. */
export function benchChain(n: number, tool: string): Plan {
  return benchPlan(Array.from({ length: n }, (_, i) => benchStep(`s${i}`, tool, i ? [`s${i - 1}`] : [])));
}

export function toPlan(nodes: Node[], idempotent: boolean): Plan {
  return benchPlan(nodes.map((n) => benchStep(n.id, toolName(n.ms, idempotent), n.deps)));
}

/** `layers` × `width` steps of `ms`; each depends on every step of the layer before. */
export function layered(layers: number, width: number, ms: number): Node[] {
  const nodes: Node[] = [];
  for (let l = 0; l < layers; l++)
    for (let i = 0; i < width; i++)
      nodes.push({ id: `l${l}-${i}`, ms, deps: l ? Array.from({ length: width }, (_, j) => `l${l - 1}-${j}`) : [] });
  return nodes;
}

/** `layers` × `width` steps of `ms`; each depends on two steps of the layer before (the same and the next). */
export function sparse(layers: number, width: number, ms: number): Node[] {
  const nodes: Node[] = [];
  for (let l = 0; l < layers; l++)
    for (let i = 0; i < width; i++)
      nodes.push({ id: `l${l}-${i}`, ms, deps: l ? [`l${l - 1}-${i}`, `l${l - 1}-${(i + 1) % width}`] : [] });
  return nodes;
}

export function chain(n: number, ms: number): Node[] {
  return Array.from({ length: n }, (_, i) => ({ id: `s${i}`, ms, deps: i ? [`s${i - 1}`] : [] }));
}

/** `n` steps of 5–60 ms, each depending on up to three earlier ones: a random DAG, the same every time (fixed seed). */
export function uneven(n: number, seed = 16): Node[] {
  let s = seed;
  // mulberry32: a tiny seeded generator, so the DAG is the same on every machine.
  const rand = () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const nodes: Node[] = [];
  for (let i = 0; i < n; i++) {
    const deps = new Set<string>();
    const count = i === 0 ? 0 : Math.floor(rand() * 4);
    for (let k = 0; k < count; k++) deps.add(`u${Math.floor(rand() * i)}`);
    nodes.push({ id: `u${i}`, ms: 5 + Math.round(rand() * 55), deps: [...deps] });
  }
  return nodes;
}

/** The longest sum of latencies along a dependency path: no executor can beat it. */
export function criticalPath(nodes: Node[]): number {
  const finish = new Map<string, number>();
  for (const n of nodes) finish.set(n.id, n.ms + Math.max(0, ...n.deps.map((d) => finish.get(d)!)));
  return Math.max(...finish.values());
}

/** The bookkeeping both executors below share: which steps a completion leaves with nothing to wait for. */
function readiness(nodes: Node[]) {
  const waiting = new Map(nodes.map((n) => [n.id, n.deps.length]));
  const dependents = new Map<string, string[]>();
  for (const n of nodes) for (const d of n.deps) dependents.set(d, [...(dependents.get(d) ?? []), n.id]);
  const byId = new Map(nodes.map((n) => [n.id, n]));
  return {
    roots: nodes.filter((n) => n.deps.length === 0).map((n) => n.id),
    /** The step's call: its handler, with the step's latency. */
    call: (id: string): Promise<unknown> => Promise.resolve(wait(byId.get(id)!.ms)()),
    /** Calls `ready` with each step that `id`'s completion leaves ready. */
    complete(id: string, ready: (next: string) => void): void {
      for (const next of dependents.get(id) ?? []) {
        const w = waiting.get(next)! - 1;
        waiting.set(next, w);
        if (w === 0) ready(next);
      }
    },
  };
}

/**
 * The ideal executor: no validation, no journal, no limits; a step starts the moment its last
 * dependency completes, calling the same kind of handler directly.
 */
export async function ideal(nodes: Node[]): Promise<void> {
  const dag = readiness(nodes);
  await new Promise<void>((done, fail) => {
    let left = nodes.length;
    const start = (id: string) => {
      dag.call(id).then(() => {
        if (--left === 0) return done();
        dag.complete(id, start);
      }, fail);
    };
    for (const id of dag.roots) start(id);
  });
}

const datasync = promisify(fdatasync);

/**
 * The durable floor: the ideal executor plus only the disk work the rules require of any durable runner,
 * and none of planfile's checks. It makes a new run folder with a lock file and a journal, writes the plan as the
 * journal's first line and starts that line's sync at once (as planfile does, so the folder's metadata is
 * committed while the first steps run). A non-idempotent step's intent is synced before its call; the steps that
 * become ready together share one sync, which also carries the results they depend on. Results are written as
 * they come, and the end waits for one last sync. Whatever planfile spends beyond this executor is its own;
 * what this one spends beyond the ideal is the disk's (fdatasync latency on this machine).
 */
export async function durableFloor(nodes: Node[], plan: Plan, dir: string, idempotent: boolean): Promise<void> {
  const runDir = join(dir, "runs", "floor");
  mkdirSync(runDir, { recursive: true });
  writeFileSync(join(runDir, "lock"), String(process.pid));
  const fd = openSync(join(runDir, "journal.ndjson"), "a");
  const write = (entry: object) => writeSync(fd, `${JSON.stringify({ ...entry, at: new Date().toISOString() })}\n`);
  try {
    write({ t: "run-started", plan });
    const early = datasync(fd);
    const dag = readiness(nodes);
    await new Promise<void>((done, fail) => {
      let left = nodes.length;
      const call = (id: string) => {
        dag.call(id).then(() => {
          write({ t: "step-result", step: id, status: "completed", output: { ok: true } });
          if (--left === 0) return done();
          const ready: string[] = [];
          dag.complete(id, (next) => ready.push(next));
          if (ready.length > 0) start(ready);
        }, fail);
      };
      const start = (ids: string[]) => {
        for (const id of ids) write({ t: "step-intent", step: id, tool: "bench", attempt: 1, args: {} });
        if (idempotent) for (const id of ids) call(id);
        else datasync(fd).then(() => ids.forEach(call), fail);
      };
      start(dag.roots);
    });
    write({ t: "run-finished", status: "succeeded" });
    await Promise.all([early, datasync(fd)]);
  } finally {
    closeSync(fd);
    unlinkSync(join(runDir, "lock"));
  }
}
