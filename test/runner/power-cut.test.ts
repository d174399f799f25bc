// A power cut, not just a killed process: the real CLI is SIGKILLed at every fdatasync (lines written, not yet
// durable) and after every journal line, and first the journal is cut back to what fdatasync made durable, as
// the machine would leave it. Group commit must still promise what one sync per line did: no non-idempotent
// call without a durable intent (so none runs twice), and no step reported completed whose result is lost.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadRun } from "../../src/runner/index.js";
import { entry } from "../cli/helpers.js";
import { readLog } from "../fixtures/runner/tools/counter-handlers.js";
import { tempDir } from "./helpers.js";

const TOOLS = "test/fixtures/runner/tools";
const PLAN = "test/fixtures/runner/counter-plan.yaml";
const TAGS = ["first", "left", "right", "left-right"];

const cli = (script: "run" | "rollback", state: string, args: string[], env: Record<string, string> = {}) =>
  entry(script, ["--tools", TOOLS, "--state-dir", state, ...args], { env });

/** Steps the run reported completed (--json events on stdout) before it died. */
function reportedCompleted(stdout: string): string[] {
  return stdout
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as { type: string; step?: string })
    .filter((e) => e.type === "step-completed")
    .map((e) => e.step!);
}

async function trial(env: Record<string, string>): Promise<"killed" | "finished"> {
  const state = tempDir();
  const first = await cli("run", state, ["--run-id", "cut", "--yes", "--json", PLAN], {
    ...env,
    PLANFILE_TEST_POWER_CUT: "1",
  });
  if (first.signal !== "SIGKILL") {
    expect(first.code).toBe(0); // the kill point lies past the run's end
    return "finished";
  }
  const label = JSON.stringify(env);
  const log = readLog(state);
  let durable: Set<string>;
  try {
    durable = new Set(loadRun(join(state, "runs"), "cut").completed.keys());
  } catch {
    // Nothing was durable: then no non-idempotent call can have happened.
    expect(log, label).toEqual([]);
    durable = new Set();
  }
  for (const step of reportedCompleted(first.stdout)) expect(durable.has(step), `${label}: ${step} lost`).toBe(true);

  const resumed = await cli("run", state, ["--resume", "cut", "--yes", PLAN]);
  expect([0, 7], `${label}: ${resumed.stderr}`).toContain(resumed.code);
  const after = readLog(state);
  for (const tag of TAGS)
    expect(after.filter((l) => l === `+${tag}`).length, `${label}: +${tag}`).toBeLessThanOrEqual(1);
  if (resumed.code === 0) for (const tag of TAGS) expect(after, label).toContain(`+${tag}`);
  else {
    // A call happened whose output the cut lost: the run stops rather than run it again, and rollback undoes it.
    let undo = await cli("rollback", state, ["--yes", "cut"]);
    if (undo.code === 3 && undo.stderr.includes("answer --resolve last=undone")) {
      // last's undo needs its output (the tag), which the cut lost: the operator removes it by hand.
      undo = await cli("rollback", state, ["--yes", "--resolve", "last=undone", "cut"]);
    }
    expect(undo.code, `${label}: ${undo.stderr}`).toBe(0);
    const end = readLog(state);
    for (const tag of ["first", "left", "right"])
      expect(end.filter((l) => l === `-${tag}`).length, label).toBe(end.filter((l) => l === `+${tag}`).length);
  }
  return "killed";
}

/** Runs trials two at a time: the machine has two cores. */
async function pool<T>(items: T[], body: (item: T) => Promise<unknown>): Promise<void> {
  const queue = [...items];
  await Promise.all(
    [0, 1].map(async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await body(item);
    }),
  );
}

describe("power cut (journal cut back to its last fdatasync, then SIGKILL)", { timeout: 600_000 }, () => {
  it("at every fdatasync of the run: nothing reported is lost, no non-idempotent call runs twice", async () => {
    const outcomes: string[] = [];
    await pool(
      Array.from({ length: 8 }, (_, i) => i + 1),
      async (n) => outcomes.push(await trial({ PLANFILE_TEST_KILL_BEFORE_SYNC: String(n) })),
    );
    // The counter plan's run needs fewer than 8 syncs; every sync it makes was a kill point.
    expect(outcomes).toContain("finished");
    expect(outcomes.filter((o) => o === "killed").length).toBeGreaterThanOrEqual(4);
  });

  it("after every journal line, results written but not yet synced among them", async () => {
    await pool(
      Array.from({ length: 10 }, (_, i) => i + 1),
      (n) => trial({ PLANFILE_TEST_KILL_AT_LINE: String(n) }),
    );
  });
});
