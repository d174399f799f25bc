/**
 * The offline planner: no model, no guessing. The goal is read against the
 * world (intent and slots, see ../goal/), the chosen method's probes read
 * what it needs, and decomposition chooses between alternatives on what was
 * read. Same context gathering and plan format as the model path; a clear
 * refusal when no method fits.
 */
import type { Registry } from "../../registry/registry.js";
import type { ContextEntry } from "../../schema/types.generated.js";
import { contextOf, readContext, type GatherLimits, type ProbeCall } from "../gather.js";
import { readGoal } from "../goal/index.js";
import { finish, formatProblem } from "../judge.js";
import type { Prover } from "../prove.js";
import type { Attempt, PlanResult, PlanStats, ProbeOutcome } from "../types.js";
import { decomposeProven } from "./backtrack.js";
import { applyMethod, fill, MethodError, type Bindings } from "./htn.js";
import { library, type Method, type MethodLibrary } from "./methods.js";

export interface OfflineOptions {
  registry: Registry;
  methods?: MethodLibrary;
  limits: GatherLimits;
  context: ContextEntry[];
  now: Date;
  stats: PlanStats;
  /** Dry-runs a candidate plan; a plan that would fail sends decomposition to its next alternative. */
  prove?: Prover;
}

export const OFFLINE_PROMPT = "methods@1";

export async function planOffline(goal: string, options: OfflineOptions): Promise<PlanResult> {
  const { registry, limits, stats } = options;
  const methods = options.methods ?? library([]);

  const t0 = performance.now();
  let read;
  try {
    read = await readGoal(goal, methods, registry, limits);
  } finally {
    stats.gatherMs += performance.now() - t0;
  }
  const { understanding } = read;
  // A refusal reports the entity lists it read; a plan records only its method's probes.
  if (!understanding.ok)
    return {
      ok: false,
      reason: understanding.reason,
      message: understanding.message,
      attempts: [],
      probes: read.reads,
      stats,
    };
  const { method, params } = understanding;

  let probes: ProbeOutcome[];
  const t1 = performance.now();
  try {
    probes = await readContext(registry, probeCalls(method, params), options.context, limits);
  } catch (error) {
    return brokenMethod(error, [], stats);
  } finally {
    stats.gatherMs += performance.now() - t1;
  }
  const context = contextOf(probes);

  let found;
  try {
    found = await decomposeProven(
      (bans) => applyMethod(method, params, context, methods, { bans }),
      (applied) =>
        finish(
          applied.steps,
          {
            goal,
            context,
            now: options.now,
            description: method.description ? String(fill(method.description, applied.bindings, method)) : undefined,
            planner: { name: "offline", prompt: `${OFFLINE_PROMPT}:${method.name}`, attempts: 1 },
          },
          registry,
        ),
      options.prove,
    );
  } catch (error) {
    return brokenMethod(error, probes, stats);
  }
  if (found.ok === false) {
    if (found.failures.length === 0) return precondition(method, found.reasons, probes, stats);
    return wouldFail(method, found.reasons, found.failures, probes, stats);
  }
  const { judged } = found;
  const attempt: Attempt = {
    n: 1,
    prompt: `${OFFLINE_PROMPT}:${method.name}`,
    promptTokens: 0,
    llmMs: 0,
    problems: judged.ok ? [] : judged.problems,
  };
  if (judged.ok)
    return {
      ok: true,
      plan: judged.plan,
      yaml: judged.yaml,
      digest: judged.digest,
      attempts: [attempt],
      probes,
      stats,
      reading: { method: method.name, slots: understanding.slots },
    };
  const message = `method ${method.name} (${method.file}) produced an invalid plan; this is a bug in the method: ${judged.problems.map(formatProblem).join("; ")}`;
  return {
    ok: false,
    reason: "INVALID_PLAN",
    message,
    attempts: [attempt],
    probes,
    stats,
    lastPlan: judged.plan,
    problems: judged.validatorProblems,
  };
}

/**
 * Why the world does not allow the method. What could not be read leads: a
 * condition over a read that failed is a consequence, and its expression
 * error (`No such key: target_quota`) says nothing to the user.
 */
function precondition(method: Method, reasons: string[], probes: ProbeOutcome[], stats: PlanStats): PlanResult {
  const failed = probes.flatMap((p) => (p.ok ? [] : [`  could not read ${p.id} (${p.tool}): ${p.message}`]));
  const internal = /: cannot (check|compute|evaluate) `/;
  const shown = failed.length > 0 ? reasons.filter((r) => !internal.test(r)) : reasons;
  const message = [
    ...(failed.length > 0 ? [`the world could not be read as ${method.name} needs:`, ...failed] : []),
    ...(shown.length > 0 || failed.length === 0
      ? [`the goal matches ${method.name}, but the world as read does not allow it:`, ...shown.map((r) => `  ${r}`)]
      : []),
  ].join("\n");
  return { ok: false, reason: "PRECONDITION", message, attempts: [], probes, stats };
}

/** Every alternative decomposition was dry-run on a scratch copy of the world, and each would fail. */
function wouldFail(
  method: Method,
  reasons: string[],
  failures: string[],
  probes: ProbeOutcome[],
  stats: PlanStats,
): PlanResult {
  const unexplained = failures.filter((w) => !reasons.some((r) => r.includes(w)));
  const message = [
    `the goal matches ${method.name}, but every plan for it would fail when run (each was dry-run on a scratch copy of the world):`,
    ...[...reasons, ...unexplained].map((r) => `  ${r}`),
  ].join("\n");
  return { ok: false, reason: "WOULD_FAIL", message, attempts: [], probes, stats };
}

/**
 * The method's probes with its slots filled in. Not the tools' other
 * declared probes: a method knows what it needs, and unrelated reads would
 * only make the plan's context noisy and its staleness check touchy.
 */
function probeCalls(method: Method, params: Bindings): ProbeCall[] {
  const calls = new Map<string, ProbeCall>();
  for (const probe of method.probes ?? []) {
    if (calls.has(probe.id)) continue;
    calls.set(probe.id, {
      id: probe.id,
      tool: probe.tool,
      args: fill(probe.args ?? {}, params, method) as Record<string, unknown>,
    });
  }
  return [...calls.values()];
}

function brokenMethod(error: unknown, probes: ProbeOutcome[], stats: PlanStats): PlanResult {
  if (!(error instanceof MethodError)) throw error;
  return {
    ok: false,
    reason: "INVALID_PLAN",
    message: `${error.message}; this is a bug in the method file`,
    attempts: [],
    probes,
    stats,
  };
}
