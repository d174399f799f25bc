import { compileExpect } from "../../expect/index.js";
import { argsMatchTools, contextIsReadOnly, knownTools, riskFlagged, rollbackDeclared } from "./calls.js";
import { duplicateIds, knownDependencies, noCycles } from "./graph.js";
import { riskFromPolicy, rollbacksChecked } from "./risk.js";
import type { Rule } from "./types.js";

/** `expect:` parses as CEL, so a typo is caught in review, not after the step ran. */
export const expectParses: Rule = ({ plan }) =>
  plan.steps.flatMap((step, i) => {
    if (step.expect === undefined) return [];
    const compiled = compileExpect(step.expect);
    return compiled.ok
      ? []
      : [
          {
            rule: "bad-expect",
            path: ["steps", i, "expect"],
            message: `step \`${step.id}\`: expect ${compiled.message}`,
          },
        ];
  });

/** The semantic rules, in the order their problems are most useful to read. */
export const rules: Record<string, Rule> = {
  duplicateIds,
  knownDependencies,
  noCycles,
  knownTools,
  contextIsReadOnly,
  argsMatchTools,
  rollbackDeclared,
  rollbacksChecked,
  riskFromPolicy,
  riskFlagged,
  expectParses,
};

export { findCycle, topologicalOrder } from "./graph.js";
export type { Rule, RuleContext, RuleProblem } from "./types.js";
