/**
 * After a crash, a step with an intent but no result may or may not have
 * happened. An idempotent tool is simply called again (same idempotency key).
 * Otherwise the tool's read-only `verify` probe decides, where it has one: not
 * happened → run it; happened → stop. Without a probe, stop and ask: never
 * guess, never run a non-idempotent action twice.
 */
import { checkExpect } from "../expect/index.js";
import { scopeOf, type RunContext } from "./context.js";
import type { VerifyReport } from "./events.js";
import { resolveValue } from "./resolve.js";
import { errorInfo } from "./runner-error.js";
import type { RunState } from "./state.js";

export interface Stop {
  step: string;
  tool: string;
  verify?: VerifyReport;
}

export async function reconcile(ctx: RunContext, prior: RunState, rerun: readonly string[]): Promise<Stop | undefined> {
  for (const [id, flight] of prior.inFlight) {
    const tool = ctx.registry.get(flight.tool)!;
    if (tool.idempotent || rerun.includes(id)) {
      ctx.emit({ type: "outcome-unknown", step: id, tool: tool.name, action: "rerun" });
      continue;
    }
    const verify = await probe(ctx, id);
    if (verify.ran && !verify.happened) {
      ctx.emit({ type: "outcome-unknown", step: id, tool: tool.name, action: "rerun", verify });
      continue;
    }
    ctx.emit({ type: "outcome-unknown", step: id, tool: tool.name, action: "ask", verify });
    return { step: id, tool: tool.name, verify };
  }
  return undefined;
}

async function probe(ctx: RunContext, id: string): Promise<VerifyReport> {
  const step = ctx.steps.get(id)!;
  const verify = ctx.registry.get(step.tool)?.manifest.verify;
  if (!verify) return { ran: false, reason: `${step.tool} has no verify probe` };
  try {
    const args = resolveValue(step.args, scopeOf(ctx), `step ${id}`);
    const verifyArgs = resolveValue(verify.args, { ...scopeOf(ctx), args }, `verify of ${id}`);
    const output = await ctx.registry.call(verify.tool, verifyArgs, { secrets: ctx.secrets });
    const check = checkExpect(verify.expect, { outputs: output, args });
    return { ran: true, tool: verify.tool, happened: check.ok, output };
  } catch (error) {
    return { ran: false, reason: `verify ${verify.tool} failed: ${errorInfo(error).message}` };
  }
}
