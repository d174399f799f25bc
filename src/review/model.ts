import type { Registry } from "../registry/registry.js";
import type { Effect } from "../registry/types.js";
import { assessPlan, type StepAssessment } from "../policy/index.js";
import type { Plan, Step } from "../schema/types.generated.js";
import { topologicalOrder } from "../validator/index.js";

/** What a reviewer needs per step, in run order; shared by the terminal, Markdown and JSON views. */
export interface StepView {
  /** 1-based position in run order. */
  order: number;
  id: string;
  tool: string;
  /** From the registry when tools were given. */
  effect?: Effect;
  dependsOn: string[];
  args: string;
  expectedOutcome: string;
  expect?: string;
  rollback: RollbackView;
  risky: boolean;
  /** Why the policy makes this step risky (tool manifests, policy rules, its rollback); empty without tools. */
  riskReasons: string[];
  /** What a reviewer must not miss: an overridden or foreign rollback, an irreversible step, a refused call. */
  warnings: string[];
}

export type RollbackView =
  | {
      kind: "call";
      tool: string;
      args: string;
      /** The rollback tool's effect, when tools were given. */
      effect?: Effect;
      /** Whose undo it is: the step tool's declared compensation, an override, a custom call (no compensation declared), or an unexplained mismatch. */
      source?: "compensation" | "override" | "custom" | "mismatch";
    }
  | { kind: "none"; reason: string }
  | { kind: "irreversible"; reason: string }
  | { kind: "missing" };

export interface PlanView {
  name: string;
  goal: string;
  provenance: string;
  requiresConfirmation: boolean;
  steps: StepView[];
  context: { id: string; tool: string; args: string; output: string }[];
}

export function planView(plan: Plan, registry?: Registry): PlanView {
  const byId = new Map(plan.steps.map((s) => [s.id, s]));
  // A cyclic plan (only with --no-validate) keeps file order: there is no run order to show.
  const order = topologicalOrder(plan) ?? plan.steps.map((s) => s.id);
  const risky = new Set(plan.riskySteps);
  const assessed = new Map(registry ? assessPlan(plan, registry).map((a) => [a.id, a]) : []);
  const steps = order.map((id, i): StepView => {
    const step = byId.get(id)!;
    const assessment = assessed.get(id);
    return {
      order: i + 1,
      id,
      tool: step.tool,
      ...(registry?.get(step.tool) ? { effect: registry.get(step.tool)!.effect } : {}),
      dependsOn: step.dependsOn ?? [],
      args: summarize(step.args),
      expectedOutcome: step.expectedOutcome,
      ...(step.expect ? { expect: step.expect } : {}),
      rollback: rollbackView(step, assessment, registry),
      risky: risky.has(id),
      // The effect already says "destructive"; the other reasons say why a write is risky.
      riskReasons: assessment?.requires.filter((r) => r.rule !== "destructive-not-risky").map((r) => r.summary) ?? [],
      warnings: assessment ? warningsOf(step, assessment) : [],
    };
  });
  const p = plan.metadata.planner;
  return {
    name: plan.metadata.name,
    goal: plan.metadata.goal,
    provenance: [p ? [p.name, p.model, p.prompt].filter(Boolean).join(", ") : "hand-written", plan.metadata.createdAt]
      .filter(Boolean)
      .join(" at "),
    requiresConfirmation: plan.requiresConfirmation,
    steps,
    context: (plan.context ?? []).map((c) => ({
      id: c.id,
      tool: c.tool,
      args: summarize(c.args),
      output: summarize(c.output),
    })),
  };
}

function rollbackView(step: Step, assessment: StepAssessment | undefined, registry?: Registry): RollbackView {
  const r = step.rollback;
  if (!r) return { kind: "missing" };
  if ("irreversible" in r) return { kind: "irreversible", reason: r.irreversible };
  if ("none" in r)
    return assessment?.rollback.kind === "irreversible"
      ? { kind: "irreversible", reason: r.none }
      : { kind: "none", reason: r.none };
  const effect = registry?.get(r.tool)?.effect;
  const source = assessment?.rollback.kind === "call" ? assessment.rollback.source : undefined;
  return {
    kind: "call",
    tool: r.tool,
    args: summarize(r.args),
    ...(effect ? { effect } : {}),
    ...(source ? { source } : {}),
  };
}

/** Rollbacks other than the tool's own undo, irreversible steps and refused calls, in words for a reviewer. */
function warningsOf(step: Step, a: StepAssessment): string[] {
  const warnings: string[] = [];
  const rb = a.rollback;
  if (rb.kind === "call" && rb.source !== "compensation") {
    const declared = rb.declared ? `instead of the declared ${rb.declared.tool} ${summarize(rb.declared.args)}` : "";
    if (rb.source === "override")
      warnings.push(`rollback overridden ${declared || `(${step.tool} declares no compensation)`}: ${rb.override}`);
    else if (rb.source === "mismatch") warnings.push(`rollback is not the declared compensation ${declared}`.trim());
    if (rb.effect !== "read" && rb.source !== "override")
      warnings.push(`rollback calls ${rb.tool} (${rb.effect}), which ${step.tool} does not declare as its undo`);
  }
  if (rb.kind === "irreversible") warnings.push(`irreversible: ${rb.reason}`);
  for (const r of a.refused) warnings.push(`refused: ${r.message}`);
  return warnings;
}

/** One line, `key=value` pairs; long values are cut so a table stays readable (the YAML has the rest). */
export function summarize(value: Record<string, unknown>, max = 100): string {
  const parts = Object.entries(value).map(([k, v]) => `${k}=${short(v)}`);
  const line = parts.join(" ");
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

export function short(value: unknown, max = 48): string {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  const flat = (text ?? "null").replace(/\s+/g, " ");
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** The rollback call, then what it does: its effect and whose undo it is. */
export function rollbackText(r: RollbackView): string {
  if (r.kind === "call") {
    const call = r.args ? `${r.tool} ${r.args}` : r.tool;
    const what = [r.effect, r.source ? SOURCE_TEXT[r.source] : undefined].filter(Boolean).join(", ");
    return what ? `${call}  (${what})` : call;
  }
  if (r.kind === "none") return `none: ${r.reason}`;
  if (r.kind === "irreversible") return `IRREVERSIBLE: ${r.reason}`;
  return "—";
}

const SOURCE_TEXT = {
  compensation: "the tool's own undo",
  override: "OVERRIDE",
  custom: "custom: the tool declares no undo",
  mismatch: "NOT the tool's declared undo",
} as const;

export function riskText(s: StepView): string {
  const parts = [s.risky ? "RISKY" : "", s.effect ?? "", ...s.riskReasons].filter(Boolean);
  return parts.length > 0 ? parts.join(", ") : "—";
}
