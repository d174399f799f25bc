import type { Path } from "../schema/source.js";

/** One call the runner may make, as a policy rule sees it. */
export interface PolicyCall {
  tool: string;
  effect: "read" | "write" | "destructive" | "unknown";
  /** Context references resolved from the plan; step outputs and secrets stay as their `${{ }}` text. */
  args: Record<string, unknown>;
  role: "step" | "rollback";
  step: string;
  stepTool: string;
  /** The call is the step's tool's own declared compensation, rendered for the step. */
  compensation: boolean;
}

export interface CompiledPolicyRule {
  name: string;
  reason: string;
  action: "risky" | "refuse";
  when: string;
  /** True when the rule applies; an expression that cannot be evaluated applies too (fail closed), with why. */
  applies(call: PolicyCall): { applies: boolean; error?: string };
  /**
   * Values the rule could be looking for (strings and numbers in its `when` and in `vars`): an argument
   * known only at run time is tried as each, so a step output cannot hide a name the rule matches.
   */
  candidates: readonly unknown[];
}

/** An operator's risk policy, compiled once when loaded. */
export interface Policy {
  /** The file it came from, for messages; undefined for the built-in empty policy. */
  file?: string;
  rules: CompiledPolicyRule[];
}

export const EMPTY_POLICY: Policy = Object.freeze({ rules: [] }) as Policy;

/** Why a step must be in riskySteps, or why it is refused. */
export interface RiskReason {
  /** The validator rule that reports it when the plan does not say so. */
  rule: string;
  /** Where in the plan the cause is. */
  path: Path;
  /** A short phrase for reviewers: "tool sandbox.dns.upsert: repoints a live name". */
  summary: string;
  /** A full sentence for a validation problem, without the fix. */
  message: string;
}
