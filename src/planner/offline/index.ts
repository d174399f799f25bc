/**
 * The offline planner: no model, no guessing. A goal matches a method's
 * pattern, the method's probes read the world, and decomposition chooses
 * between alternatives on what was read. Same context gathering and plan
 * format as the model path; a clear failure when no method fits.
 */
import type { Registry } from "../../registry/registry.js";
import type { ContextEntry } from "../../schema/types.generated.js";
import { contextOf, readContext, type GatherLimits, type ProbeCall } from "../gather.js";
import { finish, formatProblem } from "../judge.js";
import type { Attempt, PlanResult, PlanStats, ProbeOutcome } from "../types.js";
import type { Prover } from "../prove.js";
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
  /** Dry-runs each candidate plan; a failure makes the method take its next alternative. */
  prove?: Prover;
}

export const OFFLINE_PROMPT = "methods@1";

export async function planOffline(goal: string, options: OfflineOptions): Promise<PlanResult> {
  const { registry, limits, stats } = options;
  const methods = options.methods ?? library([]);
  const candidates = matchGoal(goal, methods);
  if (candidates.length === 0) {
    const known = methods.methods
      .filter((m) => m.goal)
      .map((m) => `  ${m.name}: ${m.examples?.[0] ? `"${m.examples[0].goal}"` : `/${m.goal![0]}/`}`);
    const message = [
      "no method matches this goal; configure an LLM with OPENAI_API_KEY (and OPENAI_BASE_URL, PLANFILE_MODEL) or add a method in tools/methods/*.methods.yaml.",
      known.length > 0
        ? `Goals the offline methods know, for example:\n${known.join("\n")}`
        : "No offline methods are loaded.",
    ].join("\n");
    return { ok: false, reason: "NO_METHOD", message, attempts: [], probes: [], stats };
  }

  let probes: ProbeOutcome[];
  const t0 = performance.now();
  try {
    probes = await readContext(registry, probeCalls(candidates), options.context, limits);
  } catch (error) {
    return brokenMethod(error, [], stats);
  } finally {
    stats.gatherMs += performance.now() - t0;
  }
  const context = contextOf(probes);

  const reasons: string[] = [];
  const wouldFail: string[] = [];
  for (const { method, params } of candidates) {
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
      reasons.push(...found.reasons);
      wouldFail.push(...found.failures);
      continue;
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

  const failed = probes
    .filter((p) => !p.ok)
    .map((p) => `  read ${p.ok ? "" : `${p.id} (${p.tool})`} failed: ${p.ok ? "" : p.message}`);
  const names = candidates.map((c) => c.method.name).join(", ");
  const unexplained = wouldFail.filter((w) => !reasons.some((r) => r.includes(w)));
  const message = [
    wouldFail.length > 0
      ? `the goal matches ${names}, but every plan for it would fail when run (each was dry-run on a scratch copy of the world):`
      : `the goal matches ${names}, but the world as read does not allow ${candidates.length === 1 ? "it" : "any of them"}:`,
    ...[...reasons, ...unexplained].map((r) => `  ${r}`),
    ...(failed.length > 0 ? ["What could not be read:", ...failed] : []),
  ].join("\n");
  return {
    ok: false,
    reason: wouldFail.length > 0 ? "WOULD_FAIL" : "PRECONDITION",
    message,
    attempts: [],
    probes,
    stats,
  };
}

interface Candidate {
  method: Method;
  params: Bindings;
}

/** Goal methods whose pattern matches, in declaration order, with their named groups as parameters. */
export function matchGoal(goal: string, methods: MethodLibrary): Candidate[] {
  const out: Candidate[] = [];
  for (const method of methods.methods) {
    for (const pattern of method.patterns) {
      const m = pattern.exec(goal.trim());
      if (!m) continue;
      const params: Bindings = { goal };
      for (const [name, raw] of Object.entries(m.groups ?? {}))
        if (raw !== undefined) params[name] = normalise(raw, method.params?.[name]);
      out.push({ method, params });
      break;
    }
  }
  return out;
}

function normalise(raw: string, how: "lower" | "upper" | "slug" | "region" | undefined): string {
  const v = raw.trim();
  switch (how) {
    case "lower":
      return v.toLowerCase();
    case "upper":
      return v.toUpperCase();
    case "slug":
    case "region":
      return v
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, "-")
        .replace(/^-|-$/g, "");
    default:
      return v;
  }
}

/**
 * Every candidate method's probes, deduplicated by id. Not the tools' other
 * declared probes: a method knows what it needs, and unrelated reads would
 * only make the plan's context noisy and its staleness check touchy.
 */
function probeCalls(candidates: Candidate[]): ProbeCall[] {
  const calls = new Map<string, ProbeCall>();
  for (const { method, params } of candidates) {
    for (const probe of method.probes ?? []) {
      if (calls.has(probe.id)) continue;
      calls.set(probe.id, {
        id: probe.id,
        tool: probe.tool,
        args: fill(probe.args ?? {}, params, method) as Record<string, unknown>,
      });
    }
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
