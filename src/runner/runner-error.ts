import { PlanfileError, ToolCallError, type ErrorCode } from "../errors.js";
import type { ErrorInfo } from "./events.js";

/** Codes of the failures the runner itself detects (tools' own failures keep their ToolCallError codes). */
export type RunnerErrorCode = Extract<
  ErrorCode,
  "REFERENCE_MISSING" | "SECRET_MISSING" | "EXPECT_FAILED" | "CANCELLED" | "RUN_NOT_FOUND" | "RUN_BUSY"
>;

export class RunnerError extends PlanfileError {
  declare readonly code: RunnerErrorCode;
  constructor(code: RunnerErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = "RunnerError";
  }
}

/** A plain, journalable description of any error. */
export function errorInfo(error: unknown): ErrorInfo {
  if (error instanceof ToolCallError)
    return {
      code: error.code,
      message: error.message,
      ...(error.details.toolCode ? { toolCode: error.details.toolCode } : {}),
    };
  if (error instanceof RunnerError) return { code: error.code, message: error.message };
  if (error instanceof Error) return { code: "INTERNAL", message: error.message };
  return { code: "INTERNAL", message: String(error) };
}

/** Retrying helps only when the tool says the failure is transient (or it timed out). */
export function isTransient(error: unknown): boolean {
  return error instanceof ToolCallError && error.transient;
}
