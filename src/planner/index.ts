/** The planner's public API: `plan()` and what it needs. */
export { plan, DEFAULT_MAX_REPAIRS, type PlanOptions } from "./plan.js";
export { createOpenAiLlm, llmConfigFromEnv, DEFAULT_MODEL, CONFIG_FILE, type LlmConfig } from "./llm.js";
export { loadMethods, parseMethods, type MethodLibrary, type Method } from "./offline/methods.js";
export { GoalTooLongError, MAX_GOAL_CHARS, quoteGoal, understand, readGoal, type Understanding } from "./goal/index.js";
export { loadPrompts, DEFAULT_PROMPTS_DIR, estimateTokens, openingMessages } from "./prompt.js";
export { gather, declaredProbes, DEFAULT_GATHER_LIMITS, type GatherLimits, type ProbeCall } from "./gather.js";
export { extractJson } from "./extract.js";
export { writeFileAtomic } from "./write.js";
export { keepFileTimestamp, keepTimestamp } from "./stable.js";
export { formatReport, jsonReport } from "./report.js";
export {
  LlmError,
  type Llm,
  type LlmAnswer,
  type LlmRequest,
  type PlanResult,
  type PlanFailureReason,
  type Attempt,
  type AttemptProblem,
  type ProbeOutcome,
  type PlanStats,
  type TokenUsage,
} from "./types.js";
