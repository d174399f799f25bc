/**
 * The planner's pipeline: gather context → ask (a model, or the offline
 * methods) → normalise → validate → repair. Returns a result union; it never
 * writes anything and never throws for a bad answer.
 */
import type { Registry } from "../registry/registry.js";
import type { ContextEntry } from "../schema/types.generated.js";
import { askModel } from "./ask-model.js";
import { declaredProbes, readContext, timedGather, DEFAULT_GATHER_LIMITS, type GatherLimits } from "./gather.js";
import { loadPrompts } from "./prompt.js";
import { checkGoalLength } from "./goal/index.js";
import { planOffline } from "./offline/index.js";
import { prover, type Prover } from "./prove.js";
import type { MethodLibrary } from "./offline/methods.js";
import type { Llm, PlanResult, PlanStats } from "./types.js";

export interface PlanOptions {
  registry: Registry;
  /** The model to ask; without one the offline planner decomposes the goal with `methods`. */
  llm?: Llm;
  /** Methods for the offline planner (see `loadMethods`); the model path uses them to pick relevant tools. */
  methods?: MethodLibrary;
  /** Context the caller already read; recorded in the plan like gathered context. */
  context?: ContextEntry[];
  /** Re-asks after an invalid answer (default 2). */
  maxRepairs?: number;
  /** Limits of the reads made before planning; `ask: false` stops the model from requesting more. */
  gather?: Partial<GatherLimits> & { ask?: boolean };
  promptsDir?: string;
  /** Dry-run every candidate plan on a scratch copy of local state before emitting it (default true). */
  prove?: boolean;
  /** Deadline of the model's part (every request, body, retry, read round and repair); default: the model's `timeoutMs`. */
  timeoutMs?: number;
  now?: () => Date;
  signal?: AbortSignal;
}

export { DEFAULT_MAX_REPAIRS } from "./ask-model.js";

export async function plan(goal: string, options: PlanOptions): Promise<PlanResult> {
  checkGoalLength(goal);
  const t0 = performance.now();
  const limits: GatherLimits = { ...DEFAULT_GATHER_LIMITS, ...options.gather };
  const stats: PlanStats = {
    planner: options.llm ? "llm" : "offline",
    wallMs: 0,
    llmMs: 0,
    gatherMs: 0,
    llmCalls: 0,
    proofs: 0,
    proveMs: 0,
  };
  const done = <R extends PlanResult>(result: R): R => {
    stats.wallMs = performance.now() - t0;
    return result;
  };
  const prove = options.prove === false ? undefined : counted(prover(options.registry), stats);

  if (!options.llm) {
    const result = await planOffline(goal, {
      registry: options.registry,
      methods: options.methods,
      limits,
      context: options.context ?? [],
      now: options.now?.() ?? new Date(),
      stats,
      prove,
    });
    return done(result);
  }

  const probes = await timedGather(stats, () =>
    readContext(options.registry, declaredProbes(options.registry), options.context ?? [], limits),
  );
  const prompts = await loadPrompts(options.promptsDir);
  return done(await askModel(goal, options, options.llm, prompts, probes, limits, stats, prove));
}

function counted(prove: Prover, stats: PlanStats): Prover {
  return async (plan) => {
    const proof = await prove(plan);
    // A plan with nothing local to prove was not dry-run: it does not count.
    if (!proof.ok || proof.proven) stats.proofs = (stats.proofs ?? 0) + 1;
    stats.proveMs = (stats.proveMs ?? 0) + proof.ms;
    return proof;
  };
}
