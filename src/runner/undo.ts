/**
 * Rolling a run back: first settle every step that was in flight when a
 * process died (outcome.ts: read-only, probe, operator; an idempotent one is
 * simply completed again so its output is known), then undo in reverse order
 * of completion (rollback.ts). Steps that took effect but lost their output
 * are undone first, if their rollback does not need that output.
 */
import type { RunContext } from "./context.js";
import type { ErrorInfo } from "./events.js";
import { runStep } from "./execute.js";
import { NullJournal } from "./journal.js";
import { compensate } from "./rollback.js";
import { settle, stepArgs, undoneByHand, type OperatorAnswers } from "./outcome.js";
import type { RunState } from "./state.js";
import type { Remaining, RunResult, StepOutcome } from "./types.js";

export type OutcomeBase = () => { runId: string; digest: string; steps: Record<string, StepOutcome> };

export interface RollBackOptions {
  answers?: OperatorAnswers;
  /** True once the operator asked to stop (Ctrl-C during a rollback): the rest is left for `rollback.ts`. */
  stop?: () => boolean;
}

export async function rollBack(
  ctx: RunContext,
  base: OutcomeBase,
  reason: string,
  prior: RunState | undefined,
  why: { failedStep?: string; error?: ErrorInfo; cancelled: boolean },
  { answers = {}, stop }: RollBackOptions = {},
): Promise<RunResult> {
  if (ctx.journal instanceof NullJournal) {
    // A dry run changed nothing, so there is nothing to undo.
    return { status: "rolled-back", reason, ...why, compensated: [], ...base() };
  }
  const { lost, unsettled, byHand } = await settleInFlight(ctx, prior, answers);
  const done = new Set([...(prior?.compensated ?? []), ...byHand]);
  const order = [...lost, ...[...ctx.outputs.keys()].reverse()].filter((id) => !done.has(id));
  ctx.write({ t: "rollback-started", reason, steps: order });
  ctx.emit({ type: "rollback-started", reason, steps: order });
  const outcome = await compensate(ctx, order, {
    unknown: new Set(prior?.compensationInFlight.keys() ?? []),
    lost,
    answers,
    stop,
  });
  const remaining = [...unsettled, ...outcome.remaining];
  const compensated = [...done, ...outcome.compensated];
  const { irreversible } = outcome;
  const named = irreversible.length > 0 ? { irreversible } : {};
  if (remaining.length > 0)
    return { status: "rollback-incomplete", reason, ...why, compensated, remaining, ...named, ...base() };
  if (irreversible.length > 0)
    return { status: "partially-rolled-back", reason, ...why, compensated, irreversible, ...base() };
  return { status: "rolled-back", reason, ...why, compensated, ...base() };
}

/** Steps in flight when a process died: settled, completed again (idempotent), or named as left. */
async function settleInFlight(
  ctx: RunContext,
  prior: RunState | undefined,
  answers: OperatorAnswers,
): Promise<{ lost: Set<string>; unsettled: Remaining[]; byHand: string[] }> {
  const lost = new Set<string>();
  const unsettled: Remaining[] = [];
  const byHand: string[] = [];
  if (!prior) return { lost, unsettled, byHand };
  const again = async (id: string) => {
    // Same idempotency key: the tool does at most what it did, and tells us the output its undo needs.
    await runStep(ctx, { dryRun: false }, ctx.steps.get(id)!, new Set());
    if (!ctx.outputs.has(id))
      unsettled.push({
        step: id,
        tool: ctx.steps.get(id)!.tool,
        error: {
          code: "OUTCOME_UNKNOWN",
          message: `${id} was interrupted and calling it again (idempotent) failed, so its effect is unknown; fix the cause and run this again, or answer --resolve ${id}=not-happened|undone`,
        },
      });
  };
  for (const [id, flight] of prior.inFlight) {
    if (ctx.outputs.has(id)) continue;
    const tool = ctx.registry.get(flight.tool);
    if (tool?.idempotent && tool.effect !== "read" && answers.given?.[id] === undefined) {
      await again(id);
      continue;
    }
    const settled = await settle(ctx, { step: id, of: "step", tool: flight.tool, args: stepArgs(ctx, id) }, answers);
    if (!settled.known) {
      unsettled.push({
        step: id,
        tool: flight.tool,
        error: {
          code: "OUTCOME_UNKNOWN",
          message: `the process died while ${id} (${flight.tool}) was running and ${settled.verify.ran ? "" : `${settled.verify.reason}; `}nothing can tell whether it took effect: check, then answer --resolve ${id}=not-happened or ${id}=happened (undo it)`,
        },
      });
    } else if (settled.happened && !settled.undone) lost.add(id);
    else if (settled.undone) byHand.push(id);
  }
  for (const id of prior.happened.keys()) {
    if (prior.compensated.has(id) || ctx.outputs.has(id)) continue;
    const tool = ctx.steps.get(id)!.tool;
    if (answers.given?.[id] === "undone") {
      undoneByHand(ctx, id, tool);
      byHand.push(id);
    } else if (ctx.registry.get(tool)?.idempotent) await again(id);
    else lost.add(id);
  }
  return { lost, unsettled, byHand };
}
