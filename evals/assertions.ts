// One promptfoo assertion per metric (see src/evals/metrics.ts for what each checks).
import { assertMetric, assertRefused } from "../src/evals/assertion.js";

export const schemaValid = assertMetric("schema-valid");
export const toolsArgsValid = assertMetric("tools-args-valid");
export const minSteps = assertMetric("min-steps");
export const executable = assertMetric("executable");
export const goalReached = assertMetric("goal-reached");
export const riskyFlagged = assertMetric("risky-flagged");
export const rollbackFidelity = assertMetric("rollback-fidelity");
export const structure = assertMetric("structure");
export const forbiddenAbsent = assertMetric("forbidden-absent");
export const refused = assertRefused();
