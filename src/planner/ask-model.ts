/**
 * The model's side of planning: show it the tools relevant to the goal,
 * ask within one deadline, let it read more state (and see more tools) once,
 * judge each answer and ask for repairs, or stop when it says the goal cannot
 * be done. Returns a result union; it never throws for a bad answer.
 */
import type { Registry } from "../registry/registry.js";
import type { Problem } from "../schema/source.js";
import type { ContextEntry, Plan, PlannerInfo } from "../schema/types.generated.js";
import { answerSchema } from "./answer-schema.js";
import { DEFAULT_TIMEOUT_MS, startDeadline } from "./deadline.js";
import { extractJson } from "./extract.js";
import { contextOf, gather, timedGather, type GatherLimits, type ProbeCall } from "./gather.js";
import { finish, formatProblem, type Judged } from "./judge.js";
import { readSteps } from "./normalize.js";
import type { PlanOptions } from "./plan.js";
import { estimateTokens, openingMessages, readTools, type PromptSet } from "./prompt.js";
import { describeFailure, type Prover } from "./prove.js";
import { relevantProbes, selectTools } from "./tool-selection.js";
import {
  LlmError,
  type Attempt,
  type ChatMessage,
  type Llm,
  type LlmAnswer,
  type PlanResult,
  type PlanStats,
  type ProbeOutcome,
  type TokenUsage,
} from "./types.js";

export const DEFAULT_MAX_REPAIRS = 2;

export async function askModel(
  goal: string,
  options: PlanOptions,
  llm: Llm,
  prompts: PromptSet,
  initial: ProbeOutcome[],
  limits: GatherLimits,
  stats: PlanStats,
  prove?: Prover,
): Promise<PlanResult> {
  const deadline = startDeadline(options.timeoutMs ?? llm.timeoutMs ?? DEFAULT_TIMEOUT_MS, options.signal);
  try {
    return await converse(goal, options, llm, prompts, initial, limits, stats, deadline, prove);
  } finally {
    deadline.dispose();
  }
}

async function converse(
  goal: string,
  options: PlanOptions,
  llm: Llm,
  prompts: PromptSet,
  initial: ProbeOutcome[],
  limits: GatherLimits,
  stats: PlanStats,
  deadline: ReturnType<typeof startDeadline>,
  prove: Prover | undefined,
): Promise<PlanResult> {
  const { registry } = options;
  const maxRepairs = options.maxRepairs ?? DEFAULT_MAX_REPAIRS;
  let mayGather = options.gather?.ask !== false && limits.maxCalls > 0 && readTools(registry).length > 0;
  let selection = selectTools(goal, registry, { methods: options.methods, probes: initial });
  let probes = relevantProbes(goal, initial, selection);
  let template: "decompose" | "gather" = "decompose";
  const open = () =>
    openingMessages(prompts, template, {
      goal,
      registry,
      selection,
      context: contextOf(probes),
      probes,
      gather: { allowed: mayGather, maxCalls: limits.maxCalls },
    });
  const schemaFor = () => ({
    name: "planfile_plan",
    schema: answerSchema({
      tools: selection.tools,
      undoTools: selection.undoTools,
      readTools: mayGather ? readTools(registry) : [],
      others: mayGather ? selection.others : [],
    }),
    strict: false,
  });
  let messages = open();
  let schema = schemaFor();
  const attempts: Attempt[] = [];
  const usage: TokenUsage = { promptTokens: 0, completionTokens: 0, totalTokens: 0 };
  const templates = new Set<string>(["system", "decompose"].flatMap((t) => prompts.ids(t as "system")));
  const used = new Set<string>([prompts.id("decompose")]);
  let format: LlmAnswer["format"] | undefined;
  let lastPlan: Plan | undefined;
  let lastProblems: Problem[] | undefined;
  const base = () => ({ attempts, probes, stats, lastPlan, problems: lastProblems });

  for (;;) {
    const promptId = attempts.length === 0 ? prompts.id(template) : prompts.id("repair");
    let answer: LlmAnswer;
    try {
      stats.llmCalls++;
      answer = await llm.complete({ messages, schema, deadline, signal: deadline.signal });
    } catch (error) {
      const message = error instanceof LlmError ? error.message : `the model call failed: ${(error as Error).message}`;
      attempts.push({
        n: attempts.length + 1,
        prompt: promptId,
        promptTokens: estimateTokens(messages),
        llmMs: 0,
        problems: [{ rule: "llm", where: "", message }],
      });
      const code = error instanceof LlmError ? error.code : undefined;
      return { ok: false, reason: "LLM_FAILED", message, ...(code ? { code } : {}), ...base() };
    }
    stats.llmMs += answer.elapsedMs;
    format = answer.format;
    for (const k of ["promptTokens", "completionTokens", "totalTokens"] as const) usage[k] += answer.usage[k];

    const extracted = extractJson(answer.text);
    // A first answer may ask to read more state (and see more tools) instead of planning: once, within the limits.
    if (extracted.ok && mayGather && isGatherRequest(extracted.value)) {
      mayGather = false;
      const asked = extracted.value as { gather?: ProbeCall[]; tools?: unknown[] };
      const calls = Array.isArray(asked.gather) ? asked.gather : [];
      const more = await timedGather(stats, () =>
        gather(registry, calls, limits, new Set(contextOf(probes).map((c) => c.id))),
      );
      probes = [...probes, ...more];
      const requested = (asked.tools ?? []).filter((t): t is string => typeof t === "string");
      if (requested.length > 0)
        selection = selectTools(goal, registry, {
          methods: options.methods,
          probes: initial,
          requested: requested.slice(0, limits.maxCalls),
        });
      template = "gather";
      for (const id of prompts.ids("gather")) templates.add(id);
      used.add(prompts.id("gather"));
      messages = open();
      schema = schemaFor();
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
    if (attempt.prompt.startsWith("repair")) {
      used.add(attempt.prompt);
      for (const id of prompts.ids("repair")) templates.add(id);
    }

    const cannot = extracted.ok ? cannotOf(extracted.value) : undefined;
    if (cannot) {
      attempt.problems = [{ rule: "cannot", where: "", message: cannot.reason }];
      return {
        ok: false,
        reason: "CANNOT",
        message: `${answer.model} says this goal cannot be done with the tools it was shown: ${cannot.reason}\nmissing: ${cannot.missing}`,
        missing: cannot.missing,
        ...base(),
      };
    }

    const planner: PlannerInfo = {
      name: "llm",
      model: answer.model,
      prompt: [...used].join("+"),
      attempts: attempts.length,
      templates: [...templates],
      ...(format ? { responseFormat: format } : {}),
      toolsOffered: selection.tools.length,
      usage: { ...usage },
    };
    const judged = judge(extracted, goal, registry, {
      context: contextOf(probes),
      planner,
      now: options.now?.() ?? new Date(),
    });
    if (judged.ok) {
      // A valid answer still has to survive its dry run; a step that would fail goes back to the model like a validator problem.
      const proof = prove ? await prove(judged.plan) : undefined;
      if (!proof || proof.ok)
        return { ok: true, plan: judged.plan, yaml: judged.yaml, digest: judged.digest, attempts, probes, stats };
      attempt.problems = [
        { rule: "dry-run", where: proof.step ? `steps.${proof.step}` : "", message: describeFailure(proof) },
      ];
      lastPlan = judged.plan;
      if (attempts.length > maxRepairs) {
        const message = `every plan from ${answer.model} would fail when run; the last one: ${describeFailure(proof)}`;
        return { ok: false, reason: "WOULD_FAIL", message, ...base() };
      }
    } else {
      attempt.problems = judged.problems;
      lastPlan = judged.plan ?? lastPlan;
      lastProblems = judged.validatorProblems ?? lastProblems;
      if (attempts.length > maxRepairs) {
        const message = `no valid plan after ${attempts.length} answer${attempts.length === 1 ? "" : "s"} from ${answer.model}; the last one had ${judged.problems.length} problem${judged.problems.length === 1 ? "" : "s"}: ${judged.problems.map(formatProblem).join("; ")}`;
        return { ok: false, reason: "INVALID_PLAN", message, ...base() };
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
  if (!value || typeof value !== "object") return false;
  const v = value as { gather?: unknown; tools?: unknown; steps?: unknown; cannot?: unknown };
  return (Array.isArray(v.gather) || Array.isArray(v.tools)) && !v.steps && !v.cannot;
}

/** `{cannot: {reason, missing}}` (or a bare reason string) when that is all the answer says. */
function cannotOf(value: unknown): { reason: string; missing: string } | undefined {
  if (!value || typeof value !== "object" || (value as { steps?: unknown }).steps) return undefined;
  const c = (value as { cannot?: unknown }).cannot;
  if (typeof c === "string" && c.trim()) return { reason: c.trim(), missing: "(not named)" };
  if (!c || typeof c !== "object") return undefined;
  const { reason, missing } = c as { reason?: unknown; missing?: unknown };
  if (typeof reason !== "string" || !reason.trim()) return undefined;
  return {
    reason: reason.trim(),
    missing: typeof missing === "string" && missing.trim() ? missing.trim() : "(not named)",
  };
}

function judge(
  extracted: ReturnType<typeof extractJson>,
  goal: string,
  registry: Registry,
  envelope: { context: ContextEntry[]; planner: PlannerInfo; now: Date },
): Judged {
  if (!extracted.ok) return { ok: false, problems: [{ rule: "json", where: "", message: extracted.message }] };
  const shape = readSteps(extracted.value);
  if (!shape.ok) return { ok: false, problems: [{ rule: "shape", where: "", message: shape.message }] };
  return finish(shape.steps, { goal, ...envelope }, registry);
}
