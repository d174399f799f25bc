/**
 * How risky one call is on its own: what its tool's manifest declares and
 * what the operator's policy rules say about it.
 */
import type { Registry } from "../registry/registry.js";
import type { ToolDefinition } from "../registry/types.js";
import type { Path } from "../schema/source.js";
import type { PolicyCall, RiskReason } from "./types.js";

/** The manifest's default risk of a step calling `tool`; destructive tools are risky whatever they declare. */
export function toolRisk(tool: ToolDefinition): { risky: boolean; reason: string } {
  const declared = tool.manifest.risk;
  if (tool.effect === "destructive")
    return { risky: true, reason: declared?.risky ? declared.reason : "destructive: what it removes is gone" };
  return declared ?? { risky: false, reason: "" };
}

export interface RuleVerdict {
  action: "risky" | "refuse";
  reason: RiskReason;
}

/** The policy rules that apply to one call, as reasons located at `path`. */
export function policyVerdicts(registry: Registry, call: PolicyCall, path: Path, label: string): RuleVerdict[] {
  const verdicts: RuleVerdict[] = [];
  const from = registry.policy.file ? ` (${registry.policy.file})` : "";
  for (const rule of registry.policy.rules) {
    const { applies, error } = rule.applies(call);
    if (!applies) continue;
    const failClosed = error
      ? ` (its condition could not be evaluated for this call: ${error}; counted as applying)`
      : "";
    verdicts.push({
      action: rule.action,
      reason: {
        rule: rule.action === "refuse" ? "policy-refused" : "policy-risk",
        path,
        summary: `policy ${rule.name}: ${rule.reason}`,
        message: `policy rule \`${rule.name}\`${from} applies to ${label} (${call.tool}): ${rule.reason}${failClosed}`,
      },
    });
  }
  return verdicts;
}
