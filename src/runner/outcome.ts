/**
 * Settling an unknown outcome: a call (a step, or a step's compensation) was
 * running when a process died, so nobody knows whether it took effect. In
 * order of authority: a read-only call changed nothing; the tool's read-only
 * `verify` probe looks; where no probe can tell, the operator answers (a
 * `--resolve` flag, or a prompt). Every answer is journaled, so it is asked
 * once: later processes (resume, rollback) adopt it.
 */
import { checkExpect } from "../expect/index.js";
import { operator } from "./approve.js";
import { scopeOf, type RunContext } from "./context.js";
import type { VerifyReport } from "./events.js";
import type { OutcomeSource } from "./journal.js";
import { resolveValue } from "./resolve.js";
import { errorInfo } from "./runner-error.js";

/** What the operator says about an interrupted call: it did not happen, it happened (undo it), or it happened and they undid it by hand. */
export type OutcomeAnswer = "not-happened" | "happened" | "undone";
export const OUTCOME_ANSWERS: readonly OutcomeAnswer[] = ["not-happened", "happened", "undone"];

export interface UnknownCall {
  step: string;
  /** The step's own call, or its compensation. */
  of: "step" | "compensation";
  tool: string;
  args: unknown;
  /** What the probe said, when it could not tell. */
  verify?: VerifyReport;
}

/** Asks a person (a TTY prompt); undefined leaves the outcome unknown. */
export type AskOutcome = (call: UnknownCall) => Promise<OutcomeAnswer | undefined>;

export interface OperatorAnswers {
  /** `--resolve step=answer`, by step id. */
  given?: Readonly<Record<string, OutcomeAnswer>>;
  ask?: AskOutcome;
}

export type Settled =
  | { known: true; happened: boolean; undone: boolean; by: OutcomeSource; verify?: VerifyReport }
  | { known: false; verify: VerifyReport };

/** Settles one unknown call and journals the answer; never calls anything but read-only probes. */
export async function settle(ctx: RunContext, call: UnknownCall, answers: OperatorAnswers): Promise<Settled> {
  const tool = ctx.registry.get(call.tool);
  if (tool?.effect === "read") return record(ctx, call, { happened: false, undone: false, by: "read-only" });
  const verify = await probe(ctx, call.tool, call.args);
  if (verify.ran) return record(ctx, call, { happened: verify.happened, undone: false, by: "probe", verify });
  const answer = answers.given?.[call.step] ?? (await answers.ask?.({ ...call, verify }));
  if (answer === undefined) return { known: false, verify };
  return record(ctx, call, {
    happened: answer !== "not-happened",
    undone: answer === "undone",
    by: "operator",
    verify,
  });
}

/** Journals the operator's "I undid it by hand" about a step that took effect but lost its output. */
export function undoneByHand(ctx: RunContext, step: string, tool: string): void {
  record(ctx, { step, of: "step", tool, args: undefined }, { happened: true, undone: true, by: "operator" });
}

function record(
  ctx: RunContext,
  call: UnknownCall,
  s: { happened: boolean; undone: boolean; by: OutcomeSource; verify?: VerifyReport },
): Settled {
  const who = s.by === "operator" ? operator() : undefined;
  ctx.write({
    t: "outcome-resolved",
    step: call.step,
    of: call.of,
    happened: s.happened,
    ...(s.undone ? { undone: true } : {}),
    by: s.by,
    ...(who ? { who } : {}),
  });
  ctx.emit({
    type: "outcome-resolved",
    step: call.step,
    of: call.of,
    tool: call.tool,
    happened: s.happened,
    undone: s.undone,
    by: s.by,
    ...(s.verify ? { verify: s.verify } : {}),
  });
  return { known: true, ...s };
}

/** Asks `toolName`'s verify probe whether a call with `args` took effect. */
export async function probe(ctx: RunContext, toolName: string, args: unknown): Promise<VerifyReport> {
  const verify = ctx.registry.get(toolName)?.manifest.verify;
  if (!verify) return { ran: false, reason: `${toolName} has no verify probe` };
  try {
    const verifyArgs = resolveValue(verify.args, { ...scopeOf(ctx), args }, `verify of ${toolName}`);
    const output = await ctx.registry.call(verify.tool, verifyArgs, { secrets: ctx.secrets });
    const check = checkExpect(verify.expect, { outputs: output, args });
    return { ran: true, tool: verify.tool, happened: check.ok, output };
  } catch (error) {
    return { ran: false, reason: `verify ${verify.tool} failed: ${errorInfo(error).message}` };
  }
}

/** The step's arguments as the interrupted call had them (re-resolved: the journal keeps them redacted). */
export function stepArgs(ctx: RunContext, id: string): unknown {
  const step = ctx.steps.get(id)!;
  try {
    return resolveValue(step.args, scopeOf(ctx), `step ${id}`);
  } catch {
    return step.args;
  }
}

/** Parses `--resolve a=not-happened,b=happened` (also repeatable); throws a message naming what is allowed. */
export function parseAnswers(values: readonly string[]): Record<string, OutcomeAnswer> {
  const out: Record<string, OutcomeAnswer> = {};
  for (const item of values.flatMap((v) => v.split(",")).map((s) => s.trim())) {
    if (!item) continue;
    const [step, answer] = item.split("=", 2) as [string, string | undefined];
    if (!step || !OUTCOME_ANSWERS.includes(answer as OutcomeAnswer))
      throw new Error(`--resolve ${item}: expected <step>=${OUTCOME_ANSWERS.join("|")}`);
    out[step] = answer as OutcomeAnswer;
  }
  return out;
}
