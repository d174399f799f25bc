/**
 * How risky one call is on its own: what its tool's manifest declares and
 * what the operator's policy rules say about it.
 */
import type { Registry } from "../registry/registry.js";
import type { ToolDefinition } from "../registry/types.js";
import type { Path } from "../schema/source.js";
import { findReferences } from "../references/index.js";
import type { CompiledPolicyRule, PolicyCall, RiskReason } from "./types.js";

/** The manifest's default risk of a step calling `tool`; destructive tools are risky whatever they declare. */
export function toolRisk(tool: ToolDefinition): { risky: boolean; reason: string } {
  const declared = tool.manifest.risk;
  if (tool.effect === "destructive")
    return { risky: true, reason: declared?.risky ? declared.reason : "destructive: what it removes is gone" };
  return declared ?? NOT_RISKY;
}

/** Asked for every step of every plan checked: one answer for the tools that declare nothing. */
const NOT_RISKY: { risky: boolean; reason: string } = Object.freeze({ risky: false, reason: "" });

export interface RuleVerdict {
  action: "risky" | "refuse";
  reason: RiskReason;
}

/** The policy rules that apply to one call, as reasons located at `path`. */
export function policyVerdicts(registry: Registry, call: PolicyCall, path: Path, label: string): RuleVerdict[] {
  const verdicts: RuleVerdict[] = [];
  const from = registry.policy.file ? ` (${registry.policy.file})` : "";
  const unknowns = registry.policy.rules.length > 0 ? runTimeArgs(call.args) : [];
  for (const rule of registry.policy.rules) {
    const { applies, error } = rule.applies(call);
    const guess = applies ? undefined : appliesAtRunTime(rule, call, unknowns);
    if (!applies && !guess) continue;
    const failClosed = error
      ? ` (its condition could not be evaluated for this call: ${error}; counted as applying)`
      : guess
        ? ` (args.${guess.path.join(".")} is ${guess.text}, known only at run time; the rule applies if it is ${JSON.stringify(guess.value)})`
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

interface RunTimeArg {
  path: (string | number)[];
  text: string;
}

/** Arguments that hold a step output or a secret: their values exist only when the run gets there. */
function runTimeArgs(args: Record<string, unknown>): RunTimeArg[] {
  return findReferences(args)
    .filter((site) => site.refs.some((r) => r.ok && (r.ref.root === "steps" || r.ref.root === "secrets")))
    .map((site) => ({ path: [...site.path], text: String(getAt(args, site.path)) }));
}

/** Whether the rule would apply if one run-time argument turned out to be a value the rule looks for. */
function appliesAtRunTime(
  rule: CompiledPolicyRule,
  call: PolicyCall,
  unknowns: readonly RunTimeArg[],
): { path: (string | number)[]; text: string; value: unknown } | undefined {
  for (const unknown of unknowns) {
    for (const value of rule.candidates) {
      const args = structuredClone(call.args);
      setAt(args, unknown.path, value);
      const tried = rule.applies({ ...call, args });
      if (tried.applies && !tried.error) return { ...unknown, value };
    }
  }
  return undefined;
}

function getAt(value: unknown, path: readonly (string | number)[]): unknown {
  return path.reduce<unknown>((v, k) => (v as Record<string | number, unknown>)?.[k], value);
}

function setAt(value: unknown, path: readonly (string | number)[], to: unknown): void {
  const parent = getAt(value, path.slice(0, -1)) as Record<string | number, unknown>;
  parent[path.at(-1)!] = to;
}
