// Hostile and hand-written plans for the risk and rollback rules: start from a shipped plan, change one thing.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { parsePolicy } from "../../src/policy/index.js";
import { loadRegistry, type Registry } from "../../src/registry/index.js";
import type { Plan, Step } from "../../src/schema/types.generated.js";
import { validatePlanText } from "../../src/validator/index.js";

export const MIGRATE = "plans/migrate-orders.yaml";

/** A fresh copy of a shipped plan, to edit. */
export function planFrom(file = MIGRATE): Plan {
  return parse(readFileSync(file, "utf8")) as Plan;
}

export function step(plan: Plan, id: string): Step {
  const found = plan.steps.find((s) => s.id === id);
  if (!found) throw new Error(`no step ${id}`);
  return found;
}

/** Every step risky: false, as the model answer in issue 11 said. */
export function underFlagged(plan: Plan): Plan {
  plan.riskySteps = [];
  plan.requiresConfirmation = false;
  return plan;
}

export function problemsOf(
  plan: Plan,
  registry: Registry,
): { rule: string; line: number; col: number; message: string }[] {
  const result = validatePlanText(stringify(plan), "hostile.yaml", registry);
  return result.ok ? [] : result.problems.map(({ rule, line, col, message }) => ({ rule, line, col, message }));
}

export function writePlan(dir: string, name: string, plan: Plan): string {
  const file = join(dir, name);
  writeFileSync(file, stringify(plan));
  return file;
}

let sandbox: Promise<Registry> | undefined;
/** The sandbox tools with no operator policy (what the manifests alone say). */
export function sandboxRegistry(): Promise<Registry> {
  return (sandbox ??= loadRegistry({ stateDir: ".planfile/test-policy", policyFile: false }));
}

/** The sandbox tools under a policy given as YAML text. */
export async function withPolicy(yaml: string): Promise<Registry> {
  const registry = await loadRegistry({ stateDir: ".planfile/test-policy", policyFile: false });
  registry.policy = parsePolicy(yaml, "planfile.policy.yaml");
  return registry;
}
