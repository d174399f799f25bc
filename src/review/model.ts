import type { Registry } from "../registry/registry.js";
import type { Effect } from "../registry/types.js";
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
}

export type RollbackView =
  | { kind: "call"; tool: string; args: string }
  | { kind: "none"; reason: string }
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
  const steps = order.map((id, i): StepView => {
    const step = byId.get(id)!;
    return {
      order: i + 1,
      id,
      tool: step.tool,
      ...(registry?.get(step.tool) ? { effect: registry.get(step.tool)!.effect } : {}),
      dependsOn: step.dependsOn ?? [],
      args: summarize(step.args),
      expectedOutcome: step.expectedOutcome,
      ...(step.expect ? { expect: step.expect } : {}),
      rollback: rollbackView(step),
      risky: risky.has(id),
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

function rollbackView(step: Step): RollbackView {
  const r = step.rollback;
  if (!r) return { kind: "missing" };
  if ("none" in r) return { kind: "none", reason: r.none };
  return { kind: "call", tool: r.tool, args: summarize(r.args) };
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

export function rollbackText(r: RollbackView): string {
  if (r.kind === "call") return r.args ? `${r.tool} ${r.args}` : r.tool;
  if (r.kind === "none") return `none: ${r.reason}`;
  return "—";
}

export function riskText(s: StepView): string {
  const parts = [s.risky ? "RISKY" : "", s.effect ?? ""].filter(Boolean);
  return parts.length > 0 ? parts.join(", ") : "—";
}
