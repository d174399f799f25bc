/** The eval suite as a library: scenarios, grading, metrics, structure scores, reports. */
export {
  loadScenarios,
  loadScenario,
  ScenarioError,
  SCENARIOS_DIR,
  DEFAULT_MIN_STEPS,
  DEFAULT_THRESHOLDS,
  type Scenario,
  type GoalCheck,
  type RiskyMatcher,
  type Forbidden,
  type Irreversible,
  type Thresholds,
} from "./scenario.js";
export { gradePlan, referencePlan, registryForValidation, type Grade } from "./grade.js";
export {
  METRICS,
  schemaValid,
  toolsArgsValid,
  minSteps,
  executable,
  goalReached,
  riskyFlagged,
  rollbackFidelity,
  structure,
  forbiddenAbsent,
  intendedCalls,
  worldDiff,
  type MetricName,
  type MetricResult,
} from "./metrics.js";
export { compareStructure, reducedEdges, f1, type StructureScore } from "./structure.js";
export {
  execute,
  freshSandbox,
  withForcedFailure,
  EVALS_DIR,
  evalsDir,
  FORCED_FAILURE_STEP,
  type Execution,
  type Sandbox,
} from "./sandbox.js";
export { readResults, passHatK, type ResultRow, type MetricCell } from "./report.js";
export { formatReport } from "./report-format.js";
export { evalCases, selectCases, type EvalCase } from "./cases.js";
export { loadRefusals, gradeRefusal, REFUSALS_FILE, type Refusal } from "./refusals.js";
export {
  runSuite,
  defaultProviders,
  PROVIDERS,
  suitePaths,
  type SuiteOptions,
  type SuiteResult,
  type ProviderName,
} from "./suite.js";
