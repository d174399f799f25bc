// A process killed between taking a run's lock and journaling `run-started` ran nothing. Whatever it
// left (the run's folder, its lock, an empty journal, half a first line), the run id stays usable:
// a new run with that id starts, and a resume with the plan starts it afresh.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readJournal, run } from "../../src/runner/index.js";
import { harness, plan, set } from "./helpers.js";

const leftovers: Record<string, (dir: string) => void> = {
  "the run's folder only": () => {},
  "a lock naming a dead process": (dir) => writeFileSync(join(dir, "lock"), "2147483646 1 0123456789abcdef"),
  "the lock and an empty journal": (dir) => {
    writeFileSync(join(dir, "lock"), "2147483646");
    writeFileSync(join(dir, "journal.ndjson"), "");
  },
  "the lock and half of run-started": (dir) => {
    writeFileSync(join(dir, "lock"), "2147483646");
    writeFileSync(join(dir, "journal.ndjson"), '{"t":"run-started","runId":"t56","dig');
  },
};

describe("a run killed before run-started", () => {
  for (const [what, leave] of Object.entries(leftovers)) {
    for (const resume of [false, true]) {
      it(`leaving ${what}: ${resume ? "a resume" : "a new run"} with the same id starts and completes it`, async () => {
        const h = harness();
        const dir = join(h.stateDir, "runs", "t56");
        mkdirSync(dir, { recursive: true });
        leave(dir);
        const result = await run(plan([set("a"), set("b", ["a"])]), {
          registry: h.registry,
          runId: "t56",
          resume,
          retryDelayMs: 0,
        });
        expect(result.status).toBe("succeeded");
        const journal = readJournal(dir);
        expect(journal.filter((e) => e.t === "run-started")).toHaveLength(1);
        expect(journal[0]?.t).toBe("run-started");
      });
    }
  }

  it("still refuses a new run over a run that did start", async () => {
    const h = harness();
    const p = plan([set("a")]);
    expect((await run(p, { registry: h.registry, runId: "t57" })).status).toBe("succeeded");
    await expect(run(p, { registry: h.registry, runId: "t57" })).rejects.toThrow(/already exists/);
  });
});
