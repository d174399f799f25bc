/**
 * Undo in reverse: the compensations of completed steps run one by one in
 * reverse order of completion, each resolved against its step's outputs. A
 * failing compensation is retried when its tool is idempotent, then recorded;
 * the others still run, and what is left is named so it can be resumed.
 */
import type { Step } from "../schema/types.generated.js";
import { backoff, idempotencyKey, scopeOf, sleep, type RunContext } from "./context.js";
import { resolveValue } from "./resolve.js";
import { settle, type OperatorAnswers } from "./outcome.js";
import { errorInfo } from "./runner-error.js";
import { callReturned } from "./test-hooks.js";
import type { Irreversible, Remaining } from "./types.js";

export interface RollbackOutcome {
  compensated: string[];
  remaining: Remaining[];
  irreversible: Irreversible[];
}

type Undo =
  | { kind: "call"; tool: string; args: unknown }
  | { kind: "nothing"; reason: string }
  | { kind: "irreversible"; reason: string }
  | { kind: "impossible"; reason: string };

/**
 * How to undo one completed step: exactly what its plan says. The validator
 * makes every write step declare a rollback (the planner copies the tool's
 * compensation into the plan), so what a reviewer approved is what runs.
 */
export function undoOf(ctx: RunContext, step: Step): Undo {
  const rollback = step.rollback;
  if (rollback && "irreversible" in rollback) return { kind: "irreversible", reason: rollback.irreversible };
  if (rollback && "none" in rollback) {
    // What a destructive step removed is gone: its `none` means "cannot be undone", not "nothing to undo".
    if (ctx.registry.get(step.tool)?.effect === "destructive") return { kind: "irreversible", reason: rollback.none };
    return { kind: "nothing", reason: `no rollback needed: ${rollback.none}` };
  }
  const where = `rollback of step ${step.id}`;
  if (rollback) return { kind: "call", tool: rollback.tool, args: resolveValue(rollback.args, scopeOf(ctx), where) };
  if (ctx.registry.get(step.tool)?.effect === "read") return { kind: "nothing", reason: "read-only step" };
  return { kind: "impossible", reason: `step ${step.id} declares no rollback` };
}

export interface CompensateOptions {
  /** Steps whose compensation was in flight when a previous process died. */
  unknown?: ReadonlySet<string>;
  /** Steps that took effect but whose output died with the process. */
  lost?: ReadonlySet<string>;
  answers?: OperatorAnswers;
  /** Checked before each compensation: true leaves the rest for a later `rollback.ts`. */
  stop?: () => boolean;
}

/** Runs the compensations of `order` (already reversed). */
export async function compensate(
  ctx: RunContext,
  order: string[],
  { unknown = new Set(), lost = new Set(), answers = {}, stop }: CompensateOptions = {},
): Promise<RollbackOutcome> {
  const compensated: string[] = [];
  const remaining: Remaining[] = [];
  const irreversible: Irreversible[] = [];
  const leave = (id: string, tool: string, error: { code: string; message: string }) => {
    remaining.push({ step: id, tool, error });
    ctx.emit({ type: "compensation-failed", step: id, tool, error: ctx.redactor.value(error), willRetry: false });
  };
  for (const id of order) {
    const step = ctx.steps.get(id)!;
    if (stop?.()) {
      remaining.push({
        step: id,
        tool: step.rollback && "tool" in step.rollback ? step.rollback.tool : step.tool,
        error: { code: "CANCELLED", message: "interrupted before its compensation ran" },
      });
      continue;
    }
    let undo: Undo;
    try {
      undo = undoOf(ctx, step);
    } catch (error) {
      if (lost.has(id))
        leave(id, step.tool, {
          code: "OUTPUT_LOST",
          message: `${id} took effect, but its output died with the process and its rollback needs it (${errorInfo(error).message}); undo it by hand, then answer --resolve ${id}=undone`,
        });
      else leave(id, step.tool, errorInfo(error));
      continue;
    }
    if (undo.kind !== "call") {
      if (undo.kind === "impossible")
        remaining.push({ step: id, tool: step.tool, error: { code: "NO_ROLLBACK", message: undo.reason } });
      if (undo.kind === "irreversible") irreversible.push({ step: id, tool: step.tool, reason: undo.reason });
      const reason = undo.kind === "irreversible" ? `CANNOT BE UNDONE: ${undo.reason}` : undo.reason;
      ctx.emit({ type: "compensation-skipped", step: id, reason });
      continue;
    }
    const tool = ctx.registry.get(undo.tool);
    if (unknown.has(id) && !tool?.idempotent) {
      // A killed compensation: its own probe (or the operator) says whether it took effect; never run it twice blind.
      const settled = await settle(ctx, { step: id, of: "compensation", tool: undo.tool, args: undo.args }, answers);
      if (!settled.known) {
        leave(id, undo.tool, {
          code: "OUTCOME_UNKNOWN",
          message: `the compensation ${undo.tool} of ${id} was interrupted and ${settled.verify.ran ? "" : `${settled.verify.reason}; `}nothing can tell whether it took effect: check, then answer --resolve ${id}=not-happened (run it again) or ${id}=happened`,
        });
        continue;
      }
      if (settled.happened) {
        compensated.push(id);
        continue;
      }
    }
    const attempts = tool?.idempotent ? 1 + ctx.defaultRetries : 1;
    for (let attempt = 1; ; attempt++) {
      ctx.write({ t: "compensation-intent", step: id, tool: undo.tool, attempt, args: ctx.redactor.value(undo.args) });
      // Always durable first, idempotent or not: the result of the step it undoes may still wait for its sync.
      await ctx.journal.sync();
      ctx.emit({ type: "compensation-started", step: id, tool: undo.tool, attempt });
      const t0 = performance.now();
      try {
        const output = await ctx.registry.call(undo.tool, undo.args, {
          idempotencyKey: idempotencyKey(ctx, id, ":rollback"),
          secrets: ctx.secrets,
        });
        callReturned();
        ctx.write({ t: "compensation-result", step: id, status: "completed", output: ctx.redactor.value(output) });
        await ctx.journal.sync();
        ctx.emit({ type: "compensation-completed", step: id, tool: undo.tool, durationMs: performance.now() - t0 });
        compensated.push(id);
        break;
      } catch (error) {
        const info = ctx.redactor.value(errorInfo(error));
        ctx.write({ t: "compensation-result", step: id, status: "failed", error: info });
        const willRetry = attempt < attempts;
        ctx.emit({ type: "compensation-failed", step: id, tool: undo.tool, error: info, willRetry });
        if (!willRetry) {
          remaining.push({ step: id, tool: undo.tool, error: info });
          break;
        }
        await sleep(backoff(ctx.retryDelayMs, attempt));
      }
    }
  }
  return { compensated, remaining, irreversible };
}
