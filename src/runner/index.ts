/** The runner's public API: `run` a plan, `rollbackRun` a run, read runs back. */
export { run, newRunId, runsDirOf, DEFAULT_CONCURRENCY } from "./run.js";
export {
  rollbackRun,
  previewRun,
  type RollbackOptions,
  type RollbackPreview,
  type PreviewItem,
} from "./rollback-run.js";
export { OUTCOME_ANSWERS, parseAnswers, type OutcomeAnswer, type AskOutcome, type UnknownCall } from "./outcome.js";
export type { UnknownStep } from "./reconcile.js";
export { isLive } from "./lock.js";
export { unknownApprovals } from "./approve.js";
export { loadRun, readRunJournal, foldJournal, type RunState } from "./state.js";
export { readJournal, listRunIds, JOURNAL_FILE, type JournalEntry } from "./journal.js";
export { checkDrift, formatDrift, type DriftItem } from "./staleness.js";
export { RunnerError, type RunnerErrorCode } from "./runner-error.js";
export type { RunEvent, RunEventType, EventListener, ErrorInfo, VerifyReport } from "./events.js";
export type {
  RunOptions,
  RunResult,
  RunStatus,
  StepOutcome,
  Confirm,
  ConfirmRequest,
  ConfirmAnswer,
  RiskyStepView,
  Remaining,
} from "./types.js";
