import { PlanfileError, type ErrorCode } from "../errors.js";
import type { Problem } from "../schema/source.js";
import type { ContextEntry, Plan } from "../schema/types.generated.js";
import type { Deadline } from "./deadline.js";

export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

/** What the planner asks of a model: messages, and the JSON schema its answer should follow. */
export interface LlmRequest {
  messages: ChatMessage[];
  /** `strict` asks the endpoint to enforce the schema while decoding (OpenAI's strict structured outputs). */
  schema?: { name: string; schema: Record<string, unknown>; strict?: boolean };
  /** The planning call's deadline; without one, the model's own `timeoutMs` bounds this request. */
  deadline?: Deadline;
  /** Cancels the request (a deadline's signal already includes its parent's). */
  signal?: AbortSignal;
}

export interface LlmAnswer {
  text: string;
  model: string;
  usage: TokenUsage;
  /** Time spent waiting for the endpoint, retries and backoff included. */
  elapsedMs: number;
  /** HTTP requests it took (1 unless retried). */
  requests: number;
  /** How the answer format was enforced: a JSON schema, JSON mode, or only the prompt. */
  format: "json_schema" | "json_object" | "text";
}

/** Any chat model; `createOpenAiLlm` is the one planfile ships. */
export interface Llm {
  readonly model: string;
  /** The planning deadline this model was configured with, if any. */
  readonly timeoutMs?: number;
  complete(request: LlmRequest): Promise<LlmAnswer>;
}

/** A model call that did not produce an answer; `code` says whether waiting could help. */
export class LlmError extends PlanfileError {
  declare readonly code: Extract<ErrorCode, `LLM_${string}`>;
  constructor(code: Extract<ErrorCode, `LLM_${string}`>, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = "LlmError";
  }
}

/** One answer judged by the planner: what was asked, what came back, what was wrong with it. */
export interface Attempt {
  n: number;
  /** Template that produced the request, e.g. `decompose@1`, `repair@1`, or `offline` for the built-in planner. */
  prompt: string;
  /** Estimated prompt size (chars / 4). */
  promptTokens: number;
  usage?: TokenUsage;
  llmMs: number;
  /** Empty when the answer became a valid plan. */
  problems: AttemptProblem[];
}

export interface AttemptProblem {
  /** `json` when the answer was not JSON, `shape` when the JSON was not a plan, else a validator rule. */
  rule: string;
  /** Where in the plan, e.g. `steps[1].args`; empty for the whole answer. */
  where: string;
  message: string;
}

/** A probe's outcome: recorded in the plan when it answered, reported when it did not. */
export type ProbeOutcome =
  | { ok: true; entry: ContextEntry; ms: number }
  | { ok: false; id: string; tool: string; args: Record<string, unknown>; message: string; ms: number };

export type PlanFailureReason =
  /** The offline planner has no method for this goal. */
  | "NO_METHOD"
  /** The goal names an entity (a database, a region) the world does not have. */
  | "UNKNOWN_ENTITY"
  /** A method fits, but the goal leaves out a value the world cannot supply. */
  | "MISSING_SLOT"
  /** Two readings fit: two methods, or several values for one slot. */
  | "AMBIGUOUS"
  /** The goal asks for more than its method does: a second task, a negation, a destructive or steering instruction. */
  | "EXTRA_INSTRUCTION"
  /** A method matched, but the world does not allow it (e.g. no subnet with free IPs). */
  | "PRECONDITION"
  /** Every answer the model gave stayed invalid after the allowed repairs. */
  | "INVALID_PLAN"
  /** Every plan the planner could make failed its dry run on a scratch copy of the world. */
  | "WOULD_FAIL"
  /** The model endpoint failed, timed out, refused, or cut its answer off (`code` says which). */
  | "LLM_FAILED"
  /** The model answered that the goal cannot be done with the offered tools (`missing` says what is lacking). */
  | "CANNOT";

export interface GoalReading {
  method: string;
  slots: Record<string, { value: string | number; how: "stated" | "inferred" | "default" }>;
}

export type PlanResult =
  | {
      ok: true;
      plan: Plan;
      /** The canonical YAML, header included: exactly what was validated. */
      yaml: string;
      digest: string;
      attempts: Attempt[];
      probes: ProbeOutcome[];
      stats: PlanStats;
      /** How the offline planner read the goal: the method and each slot's value, and where it came from. */
      reading?: GoalReading;
    }
  | {
      ok: false;
      reason: PlanFailureReason;
      message: string;
      attempts: Attempt[];
      probes: ProbeOutcome[];
      stats: PlanStats;
      /** With LLM_FAILED, the LlmError's code, e.g. LLM_TIMEOUT or LLM_CONTEXT_LENGTH. */
      code?: string;
      /** With CANNOT, the capability the model said is missing. */
      missing?: string;
      /** The last invalid plan, when there was one, for diagnosis. */
      lastPlan?: Plan;
      problems?: Problem[];
    };

export interface PlanStats {
  planner: "llm" | "offline";
  wallMs: number;
  /** Wall time spent waiting on the model. */
  llmMs: number;
  gatherMs: number;
  llmCalls: number;
  /** Dry runs that proved (or disproved) candidate plans, and their wall time. */
  proofs?: number;
  proveMs?: number;
}
