import { PlanfileError } from "../../../src/errors.js";

/**
 * Misuse of the sandbox library or CLI (unknown fixture, broken fixture,
 * unreadable world file). Tools answer with ToolError instead, like a cloud.
 * Carries PlanfileError's USAGE code so the CLI maps it to exit 2.
 */
export class SandboxError extends PlanfileError {
  constructor(
    readonly reason: "FIXTURE_NOT_FOUND" | "FIXTURE_INVALID" | "WORLD_UNREADABLE",
    message: string,
    options?: { cause?: unknown },
  ) {
    super("USAGE", `${reason}: ${message}`, options);
    this.name = "SandboxError";
  }
}
