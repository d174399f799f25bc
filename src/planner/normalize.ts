/**
 * A model's (or the offline planner's) steps → a plan file. The planner, not
 * the model, owns the envelope: apiVersion, kind, metadata, context and the
 * risk policy. Rollbacks the model left out are filled from the tools'
 * declared compensations. Nothing here hides a mistake: what cannot be
 * normalised is passed through for the validator to name.
 */
import { renderCompensation, requiredRiskySteps } from "../policy/index.js";
import type { Registry } from "../registry/registry.js";
import type { ContextEntry, Plan, PlannerInfo, Step } from "../schema/types.generated.js";

/** A step as a model or a method proposes it: a plan step plus a risk opinion the planner weighs. */
export type DraftStep = Step & { risky?: unknown };

export type Shape = { ok: true; steps: DraftStep[] } | { ok: false; message: string };

/** Checks that the answer is `{steps: [...]}`; each step's details are the validator's business. */
export function readSteps(answer: unknown): Shape {
  if (!answer || typeof answer !== "object" || Array.isArray(answer))
    return { ok: false, message: "the answer must be a JSON object with a `steps` array" };
  const steps = (answer as { steps?: unknown }).steps;
  if (!Array.isArray(steps) || steps.length === 0)
    return { ok: false, message: "the answer has no `steps` array, or it is empty" };
  const bad = steps.findIndex((s) => !s || typeof s !== "object" || Array.isArray(s));
  if (bad !== -1) return { ok: false, message: `steps[${bad}] is not an object` };
  // Keep unknown keys: the validator reports them with the allowed list, which is what a repair needs.
  return { ok: true, steps: steps.map((s) => ({ args: {}, ...(s as Partial<DraftStep>) }) as DraftStep) };
}

export interface Envelope {
  goal: string;
  context: ContextEntry[];
  planner: PlannerInfo;
  now: Date;
  description?: string;
}

export function toPlan(steps: DraftStep[], envelope: Envelope, registry: Registry): Plan {
  const planSteps = steps.map((draft) => {
    const { risky: _risky, ...step } = draft;
    if (step.dependsOn && step.dependsOn.length === 0) delete step.dependsOn;
    if (step.rollback === undefined) {
      const filled = compensationFor(step as Step, registry);
      if (filled) step.rollback = filled;
    }
    return step as Step;
  });
  const plan: Plan = {
    apiVersion: "planfile/v1",
    kind: "Plan",
    metadata: {
      name: planName(envelope.goal),
      goal: envelope.goal,
      ...(envelope.description ? { description: envelope.description } : {}),
      createdAt: envelope.now.toISOString(),
      planner: envelope.planner,
    },
    ...(envelope.context.length > 0 ? { context: envelope.context } : {}),
    requiresConfirmation: false,
    riskySteps: [],
    steps: planSteps as Plan["steps"],
  };
  plan.riskySteps = riskPolicy(steps, plan, registry);
  plan.requiresConfirmation = plan.riskySteps.length > 0;
  return plan;
}

/**
 * Risk is not the model's alone to decide: the steps that tool manifests and
 * the operator's policy make risky (src/policy), plus those the model or
 * method marks `risky: true`. A model can add risk, never remove it.
 */
export function riskPolicy(steps: readonly DraftStep[], plan: Plan, registry: Registry): string[] {
  const risky = new Set(steps.filter((s) => s.risky === true && typeof s.id === "string").map((s) => s.id));
  for (const id of requiredRiskySteps(plan, registry)) risky.add(id);
  // In step order, so a re-plan of the same goal lists them the same way.
  return [...new Set(plan.steps.map((s) => s.id))].filter((id) => risky.has(id));
}

/** `risky` must be a JSON boolean: a string "true" would otherwise be dropped, and its step left unflagged. */
export function riskyProblems(steps: readonly DraftStep[]): { index: number; message: string }[] {
  return steps.flatMap((s, index) =>
    s.risky === undefined || typeof s.risky === "boolean"
      ? []
      : [
          {
            index,
            message: `step \`${typeof s.id === "string" ? s.id : index}\`: risky must be true or false (a JSON boolean), not ${JSON.stringify(s.risky)}; write "risky": true if a human should approve it`,
          },
        ],
  );
}

/** The tool's default compensation rendered for one step (src/policy/compensation.ts); undefined when an argument it needs is absent. */
export function compensationFor(step: Step, registry: Registry): Step["rollback"] | undefined {
  return renderCompensation(step, registry.get(step.tool));
}

/** A metadata name from the goal: `migrate-the-orders-database-from-us-east-1-…`, at most 63 characters. */
export function planName(goal: string): string {
  const slug = goal
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 63)
    .replace(/-+$/, "");
  return slug || "plan";
}
