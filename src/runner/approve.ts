/**
 * Risky steps (the plan's `riskySteps`, by id) run only once approved: up
 * front (`approve`), by the injected `confirm`, or by an earlier process of
 * the same run (same digest). Approvals and rejections are journaled with who,
 * when and the plan digest. Without a way to ask, the run stops before
 * anything runs and names what to approve.
 */
import { userInfo } from "node:os";
import type { Step } from "../schema/types.generated.js";
import { scopeOf, type RunContext } from "./context.js";
import { resolveValue } from "./resolve.js";
import type { RunState } from "./state.js";
import type { RiskyStepView, RunOptions } from "./types.js";

export type Decision =
  /** `atStep`: risky steps left to confirm just before each runs (`confirmAt: "step"`). */
  | { status: "approved"; atStep?: string[] }
  | { status: "awaiting-approval"; pending: string[] }
  | { status: "rejected"; rejected: string[]; by: string };

export function operator(): string {
  try {
    return userInfo().username;
  } catch {
    return "unknown";
  }
}

export async function approve(ctx: RunContext, options: RunOptions, prior: RunState | undefined): Promise<Decision> {
  const needed = ctx.plan.riskySteps.filter((id) => !prior?.approved.has(id) && !prior?.completed.has(id));
  if (needed.length === 0) return { status: "approved" };

  const byFlag = options.approve === "all" ? needed : needed.filter((id) => options.approve?.includes(id));
  if (byFlag.length > 0) {
    const by = options.approvedBy ?? operator();
    ctx.write({ t: "approved", steps: byFlag, by, digest: ctx.digest, via: "flag" });
    ctx.emit({ type: "approved", steps: byFlag, by, via: "flag" });
  }
  const left = needed.filter((id) => !byFlag.includes(id));
  if (left.length === 0) return { status: "approved" };
  ctx.emit({ type: "approval-required", steps: left });
  if (!options.confirm) return { status: "awaiting-approval", pending: left };
  if (options.confirmAt === "step") return { status: "approved", atStep: left };

  for (const id of left) {
    const answer = await options.confirm({
      runId: ctx.runId,
      digest: ctx.digest,
      planName: ctx.plan.metadata.name,
      step: riskyView(ctx, id),
    });
    const approved = typeof answer === "boolean" ? answer : answer.approved;
    const by = typeof answer === "boolean" ? (options.approvedBy ?? operator()) : answer.by;
    if (!approved) {
      ctx.write({ t: "rejected", steps: [id], by, digest: ctx.digest });
      ctx.emit({ type: "rejected", steps: [id], by });
      return { status: "rejected", rejected: [id], by };
    }
    ctx.write({ t: "approved", steps: [id], by, digest: ctx.digest, via: "prompt" });
    ctx.emit({ type: "approved", steps: [id], by, via: "prompt" });
  }
  return { status: "approved" };
}

/**
 * Asks about one risky step just before it runs, with its arguments resolved
 * against the outputs so far (secrets redacted), and journals the answer.
 */
export async function approveAtStep(
  ctx: RunContext,
  options: RunOptions,
  step: Step,
): Promise<{ approved: boolean; by: string }> {
  let args: unknown;
  try {
    args = ctx.redactor.value(resolveValue(step.args, scopeOf(ctx), `step ${step.id}`));
  } catch {
    args = step.args; // the step itself will fail on the missing reference, with its own message
  }
  const view = { ...riskyView(ctx, step.id), args: args as Step["args"] };
  const answer = await options.confirm!({
    runId: ctx.runId,
    digest: ctx.digest,
    planName: ctx.plan.metadata.name,
    step: view,
    atStep: true,
  });
  const approved = typeof answer === "boolean" ? answer : answer.approved;
  const by = typeof answer === "boolean" ? (options.approvedBy ?? operator()) : answer.by;
  if (!approved) {
    ctx.write({ t: "rejected", steps: [step.id], by, digest: ctx.digest });
    ctx.emit({ type: "rejected", steps: [step.id], by });
  } else {
    ctx.write({ t: "approved", steps: [step.id], by, digest: ctx.digest, via: "prompt", atStep: true, args });
    ctx.emit({ type: "approved", steps: [step.id], by, via: "prompt", atStep: true });
  }
  return { approved, by };
}

/** `--approve` ids that are not risky steps of the plan (a typo approves nothing), or [] when all are. */
export function unknownApprovals(
  plan: { riskySteps: string[] },
  approve: readonly string[] | "all" | undefined,
): string[] {
  if (approve === undefined || approve === "all") return [];
  return approve.filter((id) => !plan.riskySteps.includes(id));
}

/** What a person needs to decide: tool, args as written, expected outcome, and how it would be undone. */
export function riskyView(ctx: Pick<RunContext, "plan" | "registry">, id: string): RiskyStepView {
  const step = ctx.plan.steps.find((s) => s.id === id)!;
  const tool = ctx.registry.get(step.tool);
  return {
    id,
    tool: step.tool,
    ...(step.description ? { description: step.description } : {}),
    args: step.args,
    expectedOutcome: step.expectedOutcome,
    rollback: step.rollback,
    effect: tool?.effect ?? "unknown",
  };
}
