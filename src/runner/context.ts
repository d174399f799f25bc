/**
 * What the engine and the rollback share while a run is alive: the plan, the
 * journal, the outputs so far, and how to report.
 */
import type { Registry } from "../registry/registry.js";
import type { Plan, Step } from "../schema/types.generated.js";
import type { RunEvent } from "./events.js";
import type { JournalEntry, JournalWriter } from "./journal.js";
import type { Redactor } from "./redact.js";
import type { Scope } from "./resolve.js";
import type { StepGraph } from "../validator/rules/graph.js";

export interface RunContext {
  runId: string;
  digest: string;
  plan: Plan;
  /** Steps by id: a view over the validator's step graph when the run has it, not a Map of its own. */
  steps: StepLookup;
  registry: Registry;
  journal: JournalWriter;
  redactor: Redactor;
  secrets: Readonly<Record<string, string>>;
  /** Outputs of completed steps (unredacted in memory), in completion order. */
  outputs: Map<string, unknown>;
  contextOutputs: ReadonlyMap<string, unknown>;
  retryDelayMs: number;
  defaultRetries: number;
  now: () => Date;
  emit: (event: RunEvent) => void;
  /** false: nobody listens to events, so the per-step ones need not even be built. */
  listening?: boolean;
  /** The validator's dependency graph of the plan, when the run has it (see ValidatedPlan). */
  graph?: StepGraph;
  /** `durability: always`: every step's intent and result are durable before it goes on, idempotent or not. */
  syncEverything?: boolean;
  /**
   * Steps whose result is journaled but not yet durable (group commit: the next sync carries it). A step
   * that depends on one syncs before its call; a non-idempotent one's intent sync carries it anyway.
   */
  unsynced?: Set<string>;
  /** Appends a journal line stamped with the time. */
  write: (entry: DistributiveOmit<JournalEntry, "at">) => void;
}

export interface StepLookup {
  get(id: string): Step | undefined;
}

/**
 * `plan`'s steps by id. With the validator's graph (its index of step ids), a view over it: a Map of every step
 * made at each run's start lived through the young generation's collections (issue 16, item 4).
 */
export function stepLookup(plan: Plan, graph: StepGraph | undefined): StepLookup {
  if (!graph) return new Map(plan.steps.map((s) => [s.id, s]));
  const { index } = graph;
  return {
    get(id) {
      const i = index.get(id);
      return i === undefined ? undefined : plan.steps[i];
    },
  };
}

export type DistributiveOmit<T, K extends keyof any> = T extends unknown ? Omit<T, K> : never;

export function scopeOf(ctx: RunContext): Scope {
  return { steps: ctx.outputs, context: ctx.contextOutputs, secrets: ctx.secrets };
}

export function idempotencyKey(ctx: RunContext, stepId: string, suffix = ""): string {
  return `${ctx.runId}:${stepId}${suffix}`;
}

/** Exponential backoff: base, 2×base, 4×base…, aborted early by nothing (rollback must finish). */
export function backoff(base: number, attempt: number): number {
  return base * 2 ** (attempt - 1);
}

export const sleep = (ms: number) => (ms <= 0 ? Promise.resolve() : new Promise<void>((r) => setTimeout(r, ms)));
