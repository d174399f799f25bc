/**
 * How every sandbox tool runs: load the world → (replay | chaos | apply) →
 * log the call → persist. Handlers only describe the effect on a world.
 *
 * - Writes apply to a draft copy and replace the world only on success, so a
 *   precondition failure half-way leaves nothing behind.
 * - A dry run applies to a throwaway copy: same errors, nothing saved, not logged.
 * - A write with an idempotency key that already succeeded for the same tool
 *   returns the recorded output and is logged as a replay.
 */
import { ToolError } from "../../../src/registry/tool-error.js";
import type { HandlerContext } from "../../../src/registry/types.js";
import { formsOf, redactText, redactValue } from "../../../src/secrets/forms.js";
import { chaosStrikes } from "./chaos.js";
import { exclusively, loadWorld, markRead, saveWorld } from "./store.js";
import type { CallEntry, World } from "./types.js";

/** What an effect sees besides the world: the tick this write happens at. */
export interface Tick {
  clock: number;
}

export type Effect<A, O> = (world: World, args: A, tick: Tick) => O;

/** Turns an effect on a world into a registry handler. */
export function sandboxTool<A, O>(effect: Effect<A, O>) {
  return (args: A, context: HandlerContext): O => runInWorld(context, args, effect);
}

export function runInWorld<A, O>(context: HandlerContext, args: A, effect: Effect<A, O>): O {
  // Reads see a consistent file (writes are atomic renames); writes must not interleave with another process's.
  if (context.tool.effect === "read" || context.dryRun) return apply(context, args, effect);
  return exclusively(context.stateDir, () => apply(context, args, effect));
}

function apply<A, O>(context: HandlerContext, args: A, effect: Effect<A, O>): O {
  const { stateDir, tool, idempotencyKey } = context;
  const world = loadWorld(stateDir);
  const writes = tool.effect !== "read";

  if (context.dryRun) return effect(structuredClone(world), args, { clock: world.clock + 1 });

  const seq = (world.calls.at(-1)?.seq ?? 0) + 1;
  // The call log is a file anyone with the state folder can read: secrets passed in args stay out of it, in every encoding.
  const forms = formsOf(Object.values(context.secrets));
  const entry: CallEntry = { seq, tool: tool.name, args: redactValue(structuredClone(args), forms), ok: true };
  if (idempotencyKey !== undefined) entry.idempotencyKey = idempotencyKey;
  const finish = (output: O): O => {
    world.calls.push(entry);
    if (writes) saveWorld(stateDir, world, { durable: !context.scratch, inPlace: context.scratch === true });
    else markRead(stateDir);
    return output;
  };
  const fail = (error: unknown): never => {
    entry.ok = false;
    entry.error =
      error instanceof ToolError
        ? { code: error.code, message: redactText(error.message, forms) }
        : { code: "INTERNAL", message: redactText(String((error as Error)?.message ?? error), forms) };
    finish(undefined as O);
    throw error;
  };

  const replayKey = idempotencyKey === undefined ? undefined : `${tool.name} ${idempotencyKey}`;
  const recorded = writes && replayKey ? world.idempotency[replayKey] : undefined;
  if (recorded) {
    entry.replay = true;
    return finish(structuredClone(recorded.output) as O);
  }

  if (chaosStrikes(world.chaos, seq)) {
    fail(
      new ToolError(
        "TRANSIENT",
        `${tool.name}: the sandbox provider is temporarily unavailable (chaos seed ${world.chaos!.seed}, call #${seq}); retry the call`,
        { transient: true },
      ),
    );
  }

  if (!writes) {
    try {
      return finish(effect(world, args, { clock: world.clock }));
    } catch (error) {
      return fail(error);
    }
  }

  const { calls, ...state } = world;
  const draft = structuredClone(state) as World;
  let output: O;
  try {
    draft.clock += 1;
    output = effect(draft, args, { clock: draft.clock });
  } catch (error) {
    return fail(error);
  }
  Object.assign(world, draft, { calls });
  if (replayKey) world.idempotency[replayKey] = { tool: tool.name, output: structuredClone(output) };
  return finish(output);
}
