// Crash safety, with the real CLI in a child process: SIGKILL at many points of a run, resume, and count
// in the tools' own log how often each action really happened.
import { expect, it } from "vitest";
import { entry } from "../cli/helpers.js";
import { readLog } from "../fixtures/runner/tools/counter-handlers.js";
import { describeStores } from "../store/stores.js";
import { tempDir } from "./helpers.js";

const TOOLS = "test/fixtures/runner/tools";

const cli = (state: string, args: string[], env: Record<string, string> = {}) =>
  entry("run", ["--tools", TOOLS, "--state-dir", state, ...args], { env });

const rollback = (state: string, args: string[], env: Record<string, string> = {}) =>
  entry("rollback", ["--tools", TOOLS, "--state-dir", state, ...args], { env });

const TAGS = ["first", "left", "right", "left-right"];

// Each test starts two to four CLI processes; on a loaded two-core machine that takes more than the default 30 s.
// The same crashes on each store: the journal in files, or in PostgreSQL.
describeStores(
  "crash safety (SIGKILL, then --resume)",
  (kind) => {
    // Journal lines of counter-plan: 1 run-started, 2 approved, 3-4 first's intent and result, 5-6 the intents of
    // left and right (one shared fdatasync, then both calls), 7-8 their results, 9-10 last's intent and result.
    const killAtLines = [2, 3, 4, 5, 6, 8, 9];
    for (const line of killAtLines) {
      it(`killed after journal line ${line}: resume completes and every action happened exactly once`, async () => {
        const state = tempDir();
        const store = kind.env(kind.open(state));
        const first = await cli(state, ["--run-id", "crash", "--yes", "test/fixtures/runner/counter-plan.yaml"], {
          ...store,
          PLANFILE_TEST_KILL_AT_LINE: String(line),
        });
        expect(first.signal).toBe("SIGKILL");
        const resumed = await cli(state, ["--resume", "crash", "test/fixtures/runner/counter-plan.yaml"], store);
        expect(resumed.stdout).toBe(""); // progress goes to stderr; stdout is for --json data
        expect(resumed.stderr).toContain("succeeded");
        expect(resumed.code).toBe(0);
        const log = readLog(state);
        for (const tag of TAGS) expect(log.filter((l) => l === `+${tag}`)).toEqual([`+${tag}`]);
      });
    }

    it("killed after left's result while right's call had returned too (both started after one shared sync): resume stops instead of doubling right, and rollback undoes all", async () => {
      const state = tempDir();
      const store = kind.env(kind.open(state));
      const first = await cli(state, ["--run-id", "crash", "--yes", "test/fixtures/runner/counter-plan.yaml"], {
        ...store,
        PLANFILE_TEST_KILL_AT_LINE: "7",
      });
      expect(first.signal).toBe("SIGKILL");
      expect(readLog(state)).toEqual(["+first", "+left", "+right"]);
      const resumed = await cli(state, ["--resume", "crash"], store);
      expect(resumed.code).toBe(7);
      expect(resumed.stderr).toContain("right (ctr.add): it HAPPENED");
      const undo = await rollback(state, ["--yes", "crash"], store);
      expect(undo.code).toBe(0);
      const after = readLog(state);
      for (const t of ["first", "left", "right"]) expect(after.filter((l) => l === `+${t}`)).toEqual([`+${t}`]);
      for (const t of ["first", "left", "right"]) expect(after.filter((l) => l === `-${t}`)).toEqual([`-${t}`]);
    });

    for (const tag of ["first", "right", "left-right"]) {
      it(`killed after ${tag}'s effect but before its result: the verify probe sees it happened, so resume stops instead of doubling it, and rollback undoes it`, async () => {
        const state = tempDir();
        const store = kind.env(kind.open(state));
        const first = await cli(state, ["--run-id", "crash", "--yes", "test/fixtures/runner/counter-plan.yaml"], {
          ...store,
          CTR_KILL_AFTER: tag,
        });
        expect(first.signal).toBe("SIGKILL");
        const resumed = await cli(state, ["--resume", "crash"], store);
        expect(resumed.code).toBe(7);
        expect(resumed.stderr).toContain("HAPPENED");
        expect(resumed.stderr).toContain("so the run cannot go on; undo it:");
        const log = readLog(state);
        for (const t of TAGS) expect(log.filter((l) => l === `+${t}`).length).toBeLessThanOrEqual(1);
        const undo = await rollback(state, ["--yes", "crash"], store);
        if (tag === "left-right") {
          // last's rollback needs its own output (the tag), which died with the process: the operator undoes it by hand.
          expect(undo.code).toBe(3);
          expect(undo.stderr).toContain("last (ctr.add): last took effect, but its output died with the process");
          const byHand = await rollback(state, ["--yes", "--resolve", "last=undone", "crash"], store);
          expect(byHand.code).toBe(0);
        } else {
          expect(undo.code).toBe(0);
          expect(undo.stderr).toContain("rolled back");
        }
        // Every tag that was added is removed again, the interrupted one included.
        const after = readLog(state);
        for (const t of ["first", "left", "right"])
          expect(after.filter((l) => l === `+${t}`).length).toBe(after.filter((l) => l === `-${t}`).length);
      });
    }

    it("a non-idempotent tool without a verify probe: resume stops and asks, and never runs it twice", async () => {
      const state = tempDir();
      const store = kind.env(kind.open(state));
      const first = await cli(state, ["--run-id", "blind", "--yes", "test/fixtures/runner/counter-blind.yaml"], {
        ...store,
        PLANFILE_TEST_KILL_AT_LINE: "3",
      });
      expect(first.signal).toBe("SIGKILL");
      const resumed = await cli(state, ["--resume", "blind"], store);
      expect(resumed.code).toBe(7);
      expect(resumed.stderr).toContain("--resolve first=not-happened");
      expect(readLog(state)).toEqual([]);
      const rerun = await cli(state, ["--resume", "blind", "--rerun-unknown", "first"], store);
      expect(rerun.code).toBe(0);
      for (const t of TAGS) expect(readLog(state).filter((l) => l === `+${t}`)).toEqual([`+${t}`]);
    });
  },
  { timeout: 180_000 },
);
