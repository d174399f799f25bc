/**
 * Every error planfile raises on purpose carries a stable `code` that scripts
 * and exit-code mapping can rely on; the message says what to do next.
 */
export type ErrorCode =
  | "PLAN_INVALID"
  | "PLAN_STALE"
  | "MANIFEST_INVALID"
  | "TOOL_NOT_FOUND"
  | "TOOL_INPUT_INVALID"
  | "TOOL_OUTPUT_INVALID"
  | "TOOL_TIMEOUT"
  | "TOOL_FAILED"
  | "STEP_FAILED"
  // The runner's own findings (tools' failures keep their TOOL_* codes).
  | "REFERENCE_MISSING"
  | "SECRET_MISSING"
  | "EXPECT_FAILED"
  | "CANCELLED"
  | "RUN_NOT_FOUND"
  | "RUN_BUSY"
  // The run store (PLANFILE_STORE_URL) cannot be reached or used.
  | "STORE_UNAVAILABLE"
  // A model call that produced no answer.
  | "LLM_TIMEOUT"
  | "LLM_UNAVAILABLE"
  | "LLM_REJECTED"
  | "LLM_EMPTY"
  | "LLM_CONTEXT_LENGTH"
  | "LLM_REFUSED"
  | "LLM_TRUNCATED"
  // A mistake in an offline method file or an eval scenario (the author's, not the world's).
  | "METHOD_INVALID"
  | "SCENARIO_INVALID"
  // planfile.config.json is malformed, holds a key, or names an unknown setting.
  | "CONFIG_INVALID"
  | "USAGE"
  | "INTERNAL";

export class PlanfileError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "PlanfileError";
    this.code = code;
  }
}

/** A tool manifest under tools/ is broken; `file` names it. */
export class ManifestError extends PlanfileError {
  constructor(
    readonly file: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super("MANIFEST_INVALID", `${file}: ${message}`, options);
    this.name = "ManifestError";
  }
}

/**
 * A tool call that did not produce a valid output. `reason` tells the runner
 * whether a retry can help (`transient`) and what to report.
 */
export class ToolCallError extends PlanfileError {
  constructor(
    code: Extract<
      ErrorCode,
      "TOOL_NOT_FOUND" | "TOOL_INPUT_INVALID" | "TOOL_OUTPUT_INVALID" | "TOOL_TIMEOUT" | "TOOL_FAILED"
    >,
    readonly tool: string,
    message: string,
    readonly details: { transient?: boolean; toolCode?: string } = {},
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
    this.name = "ToolCallError";
  }
  get transient(): boolean {
    return this.details.transient === true || this.code === "TOOL_TIMEOUT";
  }
}

/** A bug in planfile itself, never the user's mistake. */
export class InternalError extends PlanfileError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("INTERNAL", `internal error: ${message} (please report this)`, options);
    this.name = "InternalError";
  }
}
