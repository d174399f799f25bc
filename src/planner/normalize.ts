/**
 * A model's (or the offline planner's) steps → a plan file. The planner, not
 * the model, owns the envelope: apiVersion, kind, metadata, context and the
 * risk policy. Rollbacks the model left out are filled from the tools'
 * declared compensations. Nothing here hides a mistake: what cannot be
 * normalised is passed through for the validator to name.
 */
import type { Registry } from "../registry/registry.js";
import { getPath, substitute } from "../references/index.js";
import type { ContextEntry, Plan, PlannerInfo, Step } from "../schema/types.generated.js";

/** A step as a model or a method proposes it: a plan step plus a risk opinion the planner weighs. */
export type DraftStep = Step & { risky?: boolean };

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
  const riskySteps = riskPolicy(steps, registry);
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
    requiresConfirmation: riskySteps.length > 0,
    riskySteps,
    steps: planSteps as Plan["steps"],
  };
  return plan;
}

/** Risk is not the model's alone to decide: a destructive tool always makes its step risky. */
export function riskPolicy(steps: readonly DraftStep[], registry: Registry): string[] {
  const risky = new Set<string>();
  for (const step of steps) {
    if (typeof step.id !== "string") continue;
    if (step.risky === true || registry.get(step.tool)?.effect === "destructive") risky.add(step.id);
  }
  return [...risky];
}

/**
 * Instantiates the tool's default compensation for one step:
 * `${{ args.x }}` takes the step's own argument, `${{ outputs.x }}` becomes
 * `${{ steps.<id>.outputs.x }}`. Undefined when an argument it needs is absent.
 */
export function compensationFor(step: Step, registry: Registry): Step["rollback"] | undefined {
  const comp = registry.get(step.tool)?.compensation;
  if (!comp || typeof step.id !== "string" || !step.args || typeof step.args !== "object") return undefined;
  let missing = false;
  const args = substitute(comp.args, (ref) => {
    if (ref.root === "outputs")
      return `\${{ steps.${step.id}.outputs${ref.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${p}`)).join("")} }}`;
    if (ref.root === "args") {
      const found = getPath(step.args, ref.path);
      if (found.found) return found.value;
    }
    missing = true;
    return null;
  }) as Record<string, unknown>;
  return missing ? undefined : { tool: comp.tool, args };
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
