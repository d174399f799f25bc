/**
 * Resuming after a crash: every step with an intent but no result may or may
 * not have happened. Each one is settled on its own (all of them, not just
 * the first): a read-only or idempotent step simply runs again (same
 * idempotency key); otherwise its `verify` probe or the operator decides
 * (see outcome.ts). "Did not happen" runs it again. "Happened" means its
 * output died with the process, so the run cannot go on: the operator's
 * "happened, undo it" rolls the run back; a probe's "happened" stops and
 * names `rollback.ts`. Never a guess, never a non-idempotent call twice.
 */
import type { RunContext } from "./context.js";
import type { VerifyReport } from "./events.js";
import { settle, stepArgs, type OperatorAnswers } from "./outcome.js";
import type { RunState } from "./state.js";

export interface UnknownStep {
  step: string;
  tool: string;
  /** Known to have happened (its output is lost), or still unknown. */
  happened?: boolean;
  verify?: VerifyReport;
  /** Its rollback needs its own output, which died with the process: if it happened, only a person can undo it. */
  undoNeedsOutput?: boolean;
}

export type Reconciled =
  | { action: "continue" }
  | { action: "stop"; unknown: UnknownStep[] }
  | { action: "roll-back"; happened: string[] };

export async function reconcile(
  ctx: RunContext,
  prior: RunState,
  rerun: readonly string[],
  answers: OperatorAnswers,
): Promise<Reconciled> {
  const stops: UnknownStep[] = [];
  const undo: string[] = [];
  for (const [id, flight] of prior.inFlight) {
    const tool = ctx.registry.get(flight.tool)!;
    if (tool.effect === "read" || tool.idempotent) {
      ctx.emit({ type: "outcome-unknown", step: id, tool: tool.name, action: "rerun" });
      continue;
    }
    const given = rerun.includes(id) ? { ...answers.given, [id]: "not-happened" as const } : answers.given;
    const settled = await settle(
      ctx,
      { step: id, of: "step", tool: tool.name, args: stepArgs(ctx, id) },
      { ...answers, given },
    );
    if (!settled.known) {
      ctx.emit({ type: "outcome-unknown", step: id, tool: tool.name, action: "ask", verify: settled.verify });
      stops.push({
        step: id,
        tool: tool.name,
        verify: settled.verify,
        ...(undoNeedsOutput(ctx, id) ? { undoNeedsOutput: true } : {}),
      });
    } else if (settled.happened) {
      if (settled.by === "operator") undo.push(id);
      else
        stops.push({
          step: id,
          tool: tool.name,
          happened: true,
          ...(settled.verify ? { verify: settled.verify } : {}),
        });
    }
  }
  // Settled earlier (a previous resume or rollback asked), but still to be undone.
  for (const [id, how] of prior.happened) {
    if (prior.compensated.has(id) || undo.includes(id)) continue;
    if (how.by === "operator") undo.push(id);
    else stops.push({ step: id, tool: ctx.steps.get(id)!.tool, happened: true });
  }
  if (stops.length > 0) return { action: "stop", unknown: stops };
  if (undo.length > 0) return { action: "roll-back", happened: undo };
  return { action: "continue" };
}

function undoNeedsOutput(ctx: RunContext, id: string): boolean {
  const rollback = ctx.steps.get(id)?.rollback;
  return rollback !== undefined && "tool" in rollback && JSON.stringify(rollback.args).includes(`steps.${id}.outputs`);
}
