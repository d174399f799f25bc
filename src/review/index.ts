export { showPlan, type ShowFormat, type ShowOptions, type ShowResult } from "./show.js";
export { loadPlanFile, loadPlanAtRevision, loadPlanText, type ReviewInput } from "./load.js";
export { planView, type PlanView, type StepView } from "./model.js";
export { mermaidGraph, nodeId, escapeLabel } from "./mermaid.js";
export { planMarkdown } from "./markdown.js";
export { planText } from "./terminal.js";
