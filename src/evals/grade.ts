/**
 * Grading one candidate plan against one scenario: validate it, run it in a
 * fresh sandbox, run it again with a forced failure at the end, and compute
 * every metric from what was observed.
 */
import { createHash } from "node:crypto";
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { loadRegistry } from "../registry/index.js";
import type { Registry } from "../registry/registry.js";
import { parseYamlSource, type Problem } from "../schema/source.js";
import type { Plan } from "../schema/types.generated.js";
import { validatePlanData, validatePlanText } from "../validator/index.js";
import { worldFromFixture } from "../../tools/sandbox/world/index.js";
import * as m from "./metrics.js";
import type { MetricName, MetricResult } from "./metrics.js";
import { evalsDir, execute, TOOLS_DIR, type Execution } from "./sandbox.js";
import type { Scenario } from "./scenario.js";

export interface Grade {
  scenario: string;
  metrics: Record<MetricName, MetricResult>;
  /** Every validator problem, for the report. */
  problems: Problem[];
  timings: { validateMs: number; runMs: number; rollbackMs: number; totalMs: number };
}

let validationRegistry: Promise<Registry> | undefined;

/** A registry for validation only: validating never calls a tool, so one per process is enough. */
export function registryForValidation(root: string = evalsDir()): Promise<Registry> {
  const stateDir = resolve(root, "validate");
  mkdirSync(stateDir, { recursive: true });
  return (validationRegistry ??= loadRegistry({ toolsDir: TOOLS_DIR, stateDir }));
}

export async function gradePlan(text: string, scenario: Scenario, options: { root?: string } = {}): Promise<Grade> {
  const t0 = performance.now();
  const registry = await registryForValidation(options.root);
  const validated = validatePlanText(text, "<candidate>", registry);
  const problems = validated.ok ? [] : validated.problems;
  const plan = validated.ok ? validated.plan : schemaShapedPlan(text, registry);
  const t1 = performance.now();

  const run: Execution | undefined = validated.ok
    ? await executeOnce(validated.plan, scenario.fixture, options)
    : undefined;
  const t2 = performance.now();
  const rollbackRun: Execution | undefined = validated.ok
    ? await executeOnce(validated.plan, scenario.fixture, { ...options, forceFailure: true })
    : undefined;
  const t3 = performance.now();

  const reference = referencePlan(scenario, registry);
  const fixture = worldFromFixture(scenario.fixture);
  const metrics: Record<MetricName, MetricResult> = {
    "schema-valid": m.schemaValid(problems),
    "tools-args-valid": m.toolsArgsValid(plan, problems),
    "min-steps": m.minSteps(plan, scenario),
    executable: m.executable(problems, run),
    "goal-reached": m.goalReached(scenario, run, fixture),
    "risky-flagged": m.riskyFlagged(plan, scenario),
    "rollback-fidelity": m.rollbackFidelity(scenario, rollbackRun, fixture),
    structure: m.structure(plan, reference, scenario),
    "forbidden-absent": m.forbiddenAbsent(
      scenario,
      plan,
      [run, rollbackRun].filter((r): r is Execution => r !== undefined),
      fixture,
    ),
  };
  const t4 = performance.now();
  const ms = (n: number) => Math.round(n);
  return {
    scenario: scenario.name,
    metrics,
    problems,
    timings: { validateMs: ms(t1 - t0), runMs: ms(t2 - t1), rollbackMs: ms(t3 - t2), totalMs: ms(t4 - t0) },
  };
}

const executions = new Map<string, Promise<Execution>>();

/**
 * Wordings of one goal mostly plan the same steps: a run depends only on the
 * fixture and what the plan does (steps, context, risk), not on its goal text
 * or timestamp, so each distinct plan runs once per fixture and mode.
 */
function executeOnce(plan: Plan, fixture: string, options: { forceFailure?: boolean; root?: string }) {
  const behaviour = { steps: plan.steps, context: plan.context, riskySteps: plan.riskySteps };
  const key = [fixture, options.forceFailure === true, options.root ?? "", digestOf(behaviour)].join("\0");
  let execution = executions.get(key);
  if (!execution) executions.set(key, (execution = execute(plan, fixture, options)));
  return execution;
}

function digestOf(value: unknown): string {
  return createHash("sha256").update(JSON.stringify(value)).digest("hex");
}

/** The scenario's reference plan; it must validate (a test proves it), so a broken one is a bug here, thrown. */
export function referencePlan(scenario: Scenario, registry: Registry): Plan {
  const validated = validatePlanText(scenario.reference.text, scenario.reference.file, registry);
  if (!validated.ok) {
    throw new Error(
      `${scenario.reference.file}: the reference plan is invalid: ${validated.problems.map((p) => `${p.line}:${p.col} ${p.rule} ${p.message}`).join("; ")}`,
    );
  }
  return validated.plan;
}

/** A plan that matches the schema but breaks a rule still has a structure worth scoring. */
function schemaShapedPlan(text: string, registry: Registry): Plan | undefined {
  const parsed = parseYamlSource(text, "<candidate>");
  if (!parsed.ok) return undefined;
  const checked = validatePlanData(parsed.data, registry);
  if (checked.ok) return checked.plan;
  return checked.problems.some((p) => p.rule === "schema") ? undefined : (parsed.data as Plan);
}
