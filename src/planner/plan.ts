/**
 * The planner's pipeline: gather context → ask (a model, or the offline
 * methods) → normalise → validate → repair. Returns a result union; it never
 * writes anything and never throws for a bad answer.
 */
import type { Registry } from "../registry/registry.js";
import type { ContextEntry, Plan } from "../schema/types.generated.js";
import type { Problem } from "../schema/source.js";
import { answerSchema } from "./answer-schema.js";
import { extractJson } from "./extract.js";
import {
  contextOf,
  declaredProbes,
  gather,
  readContext,
  DEFAULT_GATHER_LIMITS,
  type GatherLimits,
  type ProbeCall,
} from "./gather.js";
import { finish, formatProblem, type Judged } from "./judge.js";
import { readSteps } from "./normalize.js";
import { estimateTokens, loadPrompts, openingMessages, type PromptSet } from "./prompt.js";
import { checkGoalLength } from "./goal/index.js";
import { planOffline } from "./offline/index.js";
import { describeFailure, prover, type Prover } from "./prove.js";
import type { MethodLibrary } from "./offline/methods.js";
import {
  LlmError,
  type Attempt,
  type ChatMessage,
  type Llm,
  type PlanResult,
  type PlanStats,
  type ProbeOutcome,
  type TokenUsage,
} from "./types.js";

export interface PlanOptions {
  registry: Registry;
  /** The model to ask; without one the offline planner decomposes the goal with `methods`. */
  llm?: Llm;
  /** Methods for the offline planner (see `loadMethods`). */
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
  now?: () => Date;
  signal?: AbortSignal;
}

export const DEFAULT_MAX_REPAIRS = 2;

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

  const probes = await timed(stats, () =>
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

async function timed<T>(stats: PlanStats, fn: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  try {
    return await fn();
  } finally {
    stats.gatherMs += performance.now() - t0;
  }
}

async function askModel(
  goal: string,
  options: PlanOptions,
  llm: Llm,
  prompts: PromptSet,
  initial: ProbeOutcome[],
  limits: GatherLimits,
  stats: PlanStats,
  prove: Prover | undefined,
): Promise<PlanResult> {
  const { registry } = options;
  const maxRepairs = options.maxRepairs ?? DEFAULT_MAX_REPAIRS;
  const schema = { name: "planfile_plan", schema: answerSchema() };
  let probes = initial;
  let mayGather =
    options.gather?.ask !== false && limits.maxCalls > 0 && registry.list().some((t) => t.effect === "read");
  let template: "decompose" | "gather" = "decompose";
  let messages = openingMessages(prompts, template, {
    goal,
    registry,
    context: contextOf(probes),
    probes,
    gather: { allowed: mayGather, maxCalls: limits.maxCalls },
  });
  const attempts: Attempt[] = [];
  const usage: TokenUsage = { promptTokens: 0, completionTokens: 0, totalTokens: 0 };
  const templates = new Set<string>([prompts.id("decompose")]);
  let lastPlan: Plan | undefined;
  let lastProblems: Problem[] | undefined;

  for (;;) {
    const promptId = attempts.length === 0 ? prompts.id(template) : prompts.id("repair");
    let answer;
    try {
      stats.llmCalls++;
      answer = await llm.complete({ messages, schema, signal: options.signal });
    } catch (error) {
      const message = error instanceof LlmError ? error.message : `the model call failed: ${(error as Error).message}`;
      attempts.push({
        n: attempts.length + 1,
        prompt: promptId,
        promptTokens: estimateTokens(messages),
        llmMs: 0,
        problems: [{ rule: "llm", where: "", message }],
      });
      return { ok: false, reason: "LLM_FAILED", message, attempts, probes, stats, lastPlan, problems: lastProblems };
    }
    stats.llmMs += answer.elapsedMs;
    for (const k of ["promptTokens", "completionTokens", "totalTokens"] as const) usage[k] += answer.usage[k];

    const extracted = extractJson(answer.text);
    // A first answer may ask to read more state instead of planning: once, within the limits.
    if (extracted.ok && mayGather && isGatherRequest(extracted.value)) {
      mayGather = false;
      const asked = (extracted.value as { gather: ProbeCall[] }).gather;
      const more = await timed(stats, () =>
        gather(registry, asked, limits, new Set(contextOf(probes).map((c) => c.id))),
      );
      probes = [...probes, ...more];
      template = "gather";
      templates.add(prompts.id("gather"));
      messages = openingMessages(prompts, template, {
        goal,
        registry,
        context: contextOf(probes),
        probes,
        gather: { allowed: false, maxCalls: 0 },
      });
      continue;
    }

    const attempt: Attempt = {
      n: attempts.length + 1,
      prompt: promptId,
      promptTokens: estimateTokens(messages),
      usage: answer.usage,
      llmMs: answer.elapsedMs,
      problems: [],
    };
    attempts.push(attempt);
    if (attempt.prompt.startsWith("repair")) templates.add(attempt.prompt);

    const judged = judge(extracted, goal, registry, {
      context: contextOf(probes),
      planner: {
        name: "llm",
        model: answer.model,
        prompt: [...templates].join("+"),
        attempts: attempts.length,
        usage: { ...usage },
      },
      now: options.now?.() ?? new Date(),
    });
    if (judged.ok) {
      // A valid answer still has to survive its dry run; a step that would fail goes back to the model like a validator problem.
      const proof = prove ? await prove(judged.plan) : undefined;
      if (!proof || proof.ok)
        return { ok: true, plan: judged.plan, yaml: judged.yaml, digest: judged.digest, attempts, probes, stats };
      const where = proof.step ? `steps.${proof.step}` : "";
      attempt.problems = [{ rule: "dry-run", where, message: describeFailure(proof) }];
      lastPlan = judged.plan;
      if (attempts.length > maxRepairs) {
        const message = `every plan from ${answer.model} would fail when run; the last one: ${describeFailure(proof)}`;
        return { ok: false, reason: "WOULD_FAIL", message, attempts, probes, stats, lastPlan };
      }
    } else {
      attempt.problems = judged.problems;
      lastPlan = judged.plan ?? lastPlan;
      lastProblems = judged.validatorProblems ?? lastProblems;
      if (attempts.length > maxRepairs) {
        const message = `no valid plan after ${attempts.length} answer${attempts.length === 1 ? "" : "s"} from ${answer.model}; the last one had ${judged.problems.length} problem${judged.problems.length === 1 ? "" : "s"}: ${judged.problems.map(formatProblem).join("; ")}`;
        return {
          ok: false,
          reason: "INVALID_PLAN",
          message,
          attempts,
          probes,
          stats,
          lastPlan,
          problems: lastProblems,
        };
      }
    }
    messages = [
      ...messages,
      { role: "assistant", content: answer.text },
      { role: "user", content: prompts.render("repair", { attempt: attempts.length, problems: attempt.problems }) },
    ] satisfies ChatMessage[];
  }
}

function isGatherRequest(value: unknown): boolean {
  return (
    !!value &&
    typeof value === "object" &&
    Array.isArray((value as { gather?: unknown }).gather) &&
    !(value as { steps?: unknown }).steps
  );
}

function judge(
  extracted: ReturnType<typeof extractJson>,
  goal: string,
  registry: Registry,
  envelope: { context: ContextEntry[]; planner: NonNullable<Plan["metadata"]["planner"]>; now: Date },
): Judged {
  if (!extracted.ok) return { ok: false, problems: [{ rule: "json", where: "", message: extracted.message }] };
  const shape = readSteps(extracted.value);
  if (!shape.ok) return { ok: false, problems: [{ rule: "shape", where: "", message: shape.message }] };
  return finish(shape.steps, { goal, ...envelope }, registry);
}
