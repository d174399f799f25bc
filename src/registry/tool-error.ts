/**
 * What a handler throws when a precondition does not hold, the way a cloud
 * API answers: a stable code (`NOT_FOUND`, `CAPACITY_EXHAUSTED`, …) and
 * whether trying again may help.
 */
export class ToolError extends Error {
  readonly transient: boolean;
  constructor(
    readonly code: string,
    message: string,
    options: { transient?: boolean; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "ToolError";
    this.transient = options.transient ?? false;
  }
}
