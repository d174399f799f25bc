import { EXIT } from "../cli/main.js";
import type { RunResult } from "./types.js";

/** Each way a run can end has its own exit code (documented in the README). */
export function exitCodeOf(result: RunResult): number {
  switch (result.status) {
    case "succeeded":
      return EXIT.ok;
    case "rolled-back":
      return EXIT.failed;
    case "partially-rolled-back":
      return EXIT.partiallyRolledBack;
    case "rollback-incomplete":
      return EXIT.rollbackIncomplete;
    case "awaiting-approval":
    case "rejected":
      return EXIT.awaitingApproval;
    case "invalid":
    case "digest-mismatch":
      return EXIT.invalidPlan;
    case "stale":
      return EXIT.stalePlan;
    case "outcome-unknown":
      return EXIT.outcomeUnknown;
  }
}
