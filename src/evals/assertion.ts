/**
 * The bridge from promptfoo's javascript assertions to the metric functions:
 * each metric is its own assertion (and named metric), but a plan is graded
 * once — the first assertion grades it, the others reuse that grade.
 */
import { createHash } from "node:crypto";
import { gradePlan, type Grade } from "./grade.js";
import type { MetricName } from "./metrics.js";
import { gradeRefusal, loadRefusals, type Refusal } from "./refusals.js";
import { loadScenarios, type Scenario } from "./scenario.js";

export interface AssertionContext {
  vars: Record<string, unknown>;
  providerResponse?: { metadata?: Record<string, unknown> } | undefined;
}

export interface AssertionResult {
  pass: boolean;
  score: number;
  reason: string;
  namedScores?: Record<string, number>;
  metadata?: Record<string, unknown>;
}

let scenarios: Map<string, Scenario> | undefined;
let refusals: Map<number, Refusal> | undefined;
const grades = new Map<string, Promise<Grade>>();

/** `schema-valid` → `schemaValid`: the export name of a metric's assertion in evals/assertions.ts. */
export function assertionExport(metric: MetricName): string {
  return metric.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
}

export function assertMetric(metric: MetricName) {
  return async (output: string, context: AssertionContext): Promise<AssertionResult> => {
    const name = String(context.vars.scenario);
    scenarios ??= new Map(loadScenarios().map((s) => [s.name, s]));
    const scenario = scenarios.get(name);
    if (!scenario) return { pass: false, score: 0, reason: `no scenario named ${name} in evals/scenarios/` };
    const key = `${name}\0${createHash("sha256").update(output).digest("hex")}`;
    let grade = grades.get(key);
    if (!grade) grades.set(key, (grade = gradePlan(output, scenario)));
    const g = await grade;
    const r = g.metrics[metric];
    const meta = context.providerResponse?.metadata;
    const refused =
      meta && meta.ok === false ? ` [planner refused: ${String(meta.reason)}: ${String(meta.message)}]` : "";
    return {
      pass: r.pass,
      score: r.score,
      reason: r.reason + (r.pass ? "" : refused),
      ...(r.scores ? { namedScores: r.scores } : {}),
      metadata: { timings: g.timings },
    };
  };
}

/** The assertion of a must-refuse goal (its position in evals/refusals.yaml is `vars.variant`). */
export function assertRefused() {
  return async (output: string, context: AssertionContext): Promise<AssertionResult> => {
    refusals ??= new Map(loadRefusals().map((r) => [r.n, r]));
    const refusal = refusals.get(Number(context.vars.variant));
    if (!refusal) return { pass: false, score: 0, reason: `no refusal number ${String(context.vars.variant)}` };
    return gradeRefusal(refusal, output, context.providerResponse?.metadata);
  };
}
