export { showPlan, type ShowFormat, type ShowOptions, type ShowResult } from "./show.js";
export { loadPlanFile, loadPlanAtRevision, loadPlanText, type ReviewInput } from "./load.js";
export { planView, type PlanView, type StepView } from "./model.js";
export { mermaidGraph, nodeId, escapeLabel } from "./mermaid.js";
export { planMarkdown } from "./markdown.js";
export { planText } from "./terminal.js";
export { diffPlans, valueChanges, type Change, type ChangeKind, type ValueChange } from "./diff.js";
export { diffText, diffMarkdown } from "./diff-render.js";
export { compareFiles, compareWithRevision, type CompareResult, type DiffFormat } from "./compare.js";
