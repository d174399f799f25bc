/**
 * Risk and rollback rules from the policy module's verdict: a step that tool
 * manifests, the operator's policy or its own rollback make risky must be in
 * riskySteps, whoever wrote the plan; refused calls and unchecked rollbacks
 * are problems no flag can fix.
 */
import { flaggedSteps } from "../../policy/index.js";
import type { Rule, RuleProblem } from "./types.js";

/** Every reason a step must be approved, reported where the plan leaves it out of riskySteps. */
export const riskFromPolicy: Rule = ({ plan, registry }) => {
  const risky = new Set(plan.riskySteps);
  const problems: RuleProblem[] = [];
  for (const a of flaggedSteps(plan, registry)) {
    if (risky.has(a.id)) continue;
    for (const reason of a.requires)
      problems.push({
        rule: reason.rule,
        path: reason.path,
        message: `${reason.message}; add \`${a.id}\` to riskySteps`,
      });
  }
  return problems;
};

/** Calls the policy refuses, and rollbacks that are not what the step's tool declares. */
export const rollbacksChecked: Rule = ({ plan, registry }) =>
  flaggedSteps(plan, registry).flatMap((a) =>
    a.refused.map((reason) => ({ rule: reason.rule, path: reason.path, message: reason.message })),
  );
