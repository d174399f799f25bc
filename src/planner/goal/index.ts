/**
 * Goal understanding for the offline planner: goal text → a method and its
 * parameters, read against the entities the world has, or a refusal that
 * helps. See understand.ts for the reading, world.ts for what is read.
 */
import type { Registry } from "../../registry/registry.js";
import type { GatherLimits } from "../gather.js";
import type { MethodLibrary } from "../offline/methods.js";
import type { ProbeOutcome } from "../types.js";
import { candidates, understand, type Understanding } from "./understand.js";
import { sayFilled } from "./suggest.js";
import { readWorld, type World } from "./world.js";

export { checkGoalLength, GoalTooLongError, MAX_GOAL_CHARS, QUOTE_CHARS, quoteGoal } from "./limits.js";
export type { Refusal, RefusalReason } from "./refusal.js";
export { candidates, understand, type SlotValue, type Understanding } from "./understand.js";
export { listEntities, readWorld, type Entity, type World } from "./world.js";

/** Reads the entity lists the candidate methods need, then the goal against them. */
export async function readGoal(
  goal: string,
  library: MethodLibrary,
  registry: Registry,
  limits: GatherLimits,
): Promise<{ understanding: Understanding; world: World; reads: ProbeOutcome[] }> {
  const read = async (text: string) => {
    const pre = candidates(text, library);
    const { world, probes } =
      pre.methods.length > 0
        ? await readWorld(registry, library, pre.types, limits)
        : { world: new Map() as World, probes: [] };
    return { understanding: understand(text, library, world, pre), world, reads: probes };
  };
  const first = await read(goal);
  const { understanding } = first;
  // A misspelt verb (`migrte`): read the corrected goal, and offer it if it reads.
  if (!understanding.ok && understanding.retry) {
    const again = (await read(understanding.retry)).understanding;
    const said = again.ok ? sayFilled(again.method, again.params) : undefined;
    if (said) {
      const message = understanding.message.replace(/\n(?=Goals the offline)/, `\ndid you mean: ${said}?\n`);
      return { ...first, understanding: { ...understanding, message, suggestion: said } };
    }
  }
  return first;
}
