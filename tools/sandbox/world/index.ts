/**
 * The sandbox world as a library, for tests, evals and the planner.
 *
 *   resetWorld(stateDir, fixture = "default", options?: {chaos?}): World
 *       Replaces <stateDir>/sandbox/world.json with a fresh world from a fixture.
 *   readWorld(stateDir): World
 *       A deep copy of the current world (created from the default fixture, or
 *       $PLANFILE_SANDBOX_FIXTURE, if there is none yet). Pending read-log
 *       entries are flushed first, so `calls` counts every call made so far.
 *   worldWithoutCallLog(world): Omit<World, "calls" | "idempotency" | "clock">
 *       The state that tools change, with keys sorted: compare two of these to
 *       check "world after rollback equals world before". The call log, the
 *       idempotency records and the logical clock always move, so they are left out.
 *   callsOf(world, tool?): CallEntry[]
 *       The call log, optionally for one tool (count executions, replays, failures).
 *   listFixtures(dir?): string[]        fixture names in tools/sandbox/fixtures/ (or dir)
 *   worldFromFixture(name, dir?): World a validated world from a fixture, without touching disk
 *   summarizeWorld(world): string       the readable summary `tsx src/sandbox.ts show` prints
 *   worldPath(stateDir): string         where the world file lives
 *
 * Errors: SandboxError (FIXTURE_NOT_FOUND, FIXTURE_INVALID, WORLD_UNREADABLE).
 */
import { DEFAULT_FIXTURE, listFixtures, worldFromFixture } from "./fixtures.js";
import { exclusively, flushWorld, forgetWorld, loadWorld, saveWorld, worldPath } from "./store.js";
import type { CallEntry, Chaos, World } from "./types.js";

export type * from "./types.js";
export { SandboxError } from "./errors.js";
export { listFixtures, worldFromFixture, worldPath, DEFAULT_FIXTURE };

export type WorldState = Omit<World, "calls" | "idempotency" | "clock">;

export function resetWorld(
  stateDir: string,
  fixture: string = DEFAULT_FIXTURE,
  options: { chaos?: Chaos } = {},
): World {
  const world = worldFromFixture(fixture);
  if (options.chaos) world.chaos = options.chaos;
  exclusively(stateDir, () => {
    forgetWorld(stateDir);
    saveWorld(stateDir, world, { durable: true });
  });
  return structuredClone(world);
}

export function readWorld(stateDir: string): World {
  flushWorld(stateDir);
  return structuredClone(loadWorld(stateDir));
}

export function worldWithoutCallLog(world: World): WorldState {
  const { calls: _calls, idempotency: _idempotency, clock: _clock, ...state } = world;
  return sortKeys(state) as WorldState;
}

export function callsOf(world: World, tool?: string): CallEntry[] {
  return tool === undefined ? world.calls : world.calls.filter((c) => c.tool === tool);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
  );
}

export { summarizeWorld } from "./summary.js";
