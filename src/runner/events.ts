/**
 * Everything a run reports, as one discriminated union. The CLI renders these
 * (live, plain lines or NDJSON); a web page or a chat bot can do the same.
 * Values in events are already redacted: no secret ever reaches a listener.
 */
import type { DriftItem } from "./staleness.js";
import type { RunResult } from "./types.js";

export interface ErrorInfo {
  code: string;
  message: string;
  toolCode?: string;
}

export type RunEvent =
  | { type: "run-started"; runId: string; digest: string; steps: string[]; dryRun: boolean; resumed: boolean }
  | { type: "drift"; diffs: DriftItem[]; allowed: boolean }
  | { type: "approval-required"; steps: string[] }
  | { type: "approved"; steps: string[]; by: string; via: "flag" | "prompt" | "journal"; atStep?: boolean }
  | { type: "rejected"; steps: string[]; by: string }
  | { type: "step-started"; step: string; tool: string; attempt: number; dryRun: boolean }
  | { type: "step-retrying"; step: string; attempt: number; delayMs: number; error: ErrorInfo }
  | { type: "step-completed"; step: string; output: unknown; durationMs: number; dryRun: boolean }
  | { type: "step-failed"; step: string; error: ErrorInfo; durationMs: number }
  | { type: "step-skipped"; step: string; reason: string }
  | { type: "step-reused"; step: string; output: unknown }
  | { type: "outcome-unknown"; step: string; tool: string; action: "rerun" | "ask"; verify?: VerifyReport }
  | {
      type: "outcome-resolved";
      step: string;
      of: "step" | "compensation";
      tool: string;
      happened: boolean;
      undone: boolean;
      by: "probe" | "operator" | "read-only";
      verify?: VerifyReport;
    }
  | { type: "rollback-started"; reason: string; steps: string[] }
  | { type: "compensation-started"; step: string; tool: string; attempt: number }
  | { type: "compensation-completed"; step: string; tool: string; durationMs: number }
  | { type: "compensation-failed"; step: string; tool: string; error: ErrorInfo; willRetry: boolean }
  | { type: "compensation-skipped"; step: string; reason: string }
  | { type: "run-finished"; result: RunResult };

/** What a tool's read-only `verify` probe said about a call whose outcome is unknown. */
export type VerifyReport =
  | { ran: true; tool: string; happened: boolean; output: unknown }
  | { ran: false; reason: string };

export type RunEventType = RunEvent["type"];
export type EventListener = (event: RunEvent) => void;
