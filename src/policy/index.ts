export {
  assessPlan,
  flaggedSteps,
  requiredRiskySteps,
  formatCall,
  type RollbackView,
  type StepAssessment,
} from "./assess.js";
export { toolRisk } from "./classify.js";
export { isCompensation, renderCompensation, sameCall } from "./compensation.js";
export { loadPolicy, parsePolicy, DEFAULT_POLICY_FILE } from "./load.js";
export { EMPTY_POLICY, type Policy, type PolicyCall, type RiskReason } from "./types.js";
