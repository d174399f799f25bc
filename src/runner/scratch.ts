/**
 * A dry run of a plan that uses local-state tools (the sandbox) executes them
 * for real on a throwaway copy of the state folder: later steps then see real
 * outputs (a dump path that exists), and nothing outside the copy changes.
 */
import { cp, mkdir, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Plan } from "../schema/types.generated.js";
import type { Registry } from "../registry/registry.js";

// Journals, other dry runs, eval suites, caches and the Postgres lab (a live data directory,
// with sockets) are not sandbox state; copying them would cost time, or fail.
const SKIP = new Set(["runs", "dry-runs", "evals", "promptfoo", "cache", "lab"]);

export interface Scratch {
  registry: Registry;
  dispose(): Promise<void>;
}

/** A registry over a copy of the state folder when the plan needs one, else the registry itself. */
export async function scratchFor(plan: Plan, registry: Registry, runId: string): Promise<Scratch> {
  const needsCopy = plan.steps.some((s) => registry.get(s.tool)?.localState);
  if (!needsCopy) return { registry, dispose: async () => {} };
  const dir = join(registry.stateDir, "dry-runs", runId);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  // Entry by entry: journals are not state, and the copy must not copy itself.
  for (const entry of await readdir(registry.stateDir)) {
    if (!SKIP.has(entry)) await cp(join(registry.stateDir, entry), join(dir, entry), { recursive: true });
  }
  return {
    registry: registry.withStateDir(dir, { scratch: true }),
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}
