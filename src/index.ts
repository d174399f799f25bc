/** planfile's public API. The CLI entry files are thin shells over these. */
export * from "./errors.js";
export type {
  Plan,
  Step,
  ContextEntry,
  ToolCall,
  RollbackCall,
  NoRollback,
  Irreversible,
  ToolSet,
  Tool,
  Policy as PolicyFile,
} from "./schema/types.generated.js";
export { parseYamlSource, YamlSource, type Problem, type Location, type Path } from "./schema/source.js";
export { Registry, loadRegistry, ToolError } from "./registry/index.js";
export type { ToolDefinition, Handler, HandlerContext, CallOptions, Effect } from "./registry/index.js";
export {
  validatePlanText,
  validatePlanFile,
  validatePlanData,
  planDigest,
  type ValidationResult,
} from "./validator/index.js";
export {
  assessPlan,
  requiredRiskySteps,
  loadPolicy,
  parsePolicy,
  type Policy,
  type StepAssessment,
  type RollbackView as RollbackVerdict,
} from "./policy/index.js";
export { upgradeRiskText } from "./policy/upgrade.js";
export { findReferences, substitute, parseReference, getPath, type Reference } from "./references/index.js";
export { checkExpect, compileExpect } from "./expect/index.js";
export {
  showPlan,
  diffPlans,
  compareFiles,
  compareWithRevision,
  planView,
  mermaidGraph,
  diffText,
  diffMarkdown,
  type Change,
  type PlanView,
} from "./review/index.js";
export { loadConfig, ConfigError, type ConfigProblem, type PlanfileConfig } from "./config/index.js";
export * from "./planner/index.js";
export * from "./runner/index.js";
// The PostgreSQL store and the worker are loaded on demand (`openRunStore`), so importing planfile never loads pg.
export {
  FileRunStore,
  openRunStore,
  storeUrl,
  StoreError,
  type RunStore,
  type RunLock,
  type Holder,
  type StoredRun,
  type StoreChoice,
} from "./store/index.js";
export { approveRun, type Approval } from "./store/approve-run.js";
export * as evals from "./evals/index.js";
