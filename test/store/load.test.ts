// The load proof, small enough for every CI run: 20 sandbox runs × 10 steps, 2 worker processes, one SIGKILLed
// a third of the way. (`npm run bench -- store-load` runs the full 200 × 10 with 4 workers, 2 killed.)
import { describe, expect, it } from "vitest";
import { loadProof } from "../../bench/store-load.js";
import { TEST_STORE_URL } from "./stores.js";

// Workers exist only on a shared store: without PLANFILE_TEST_STORE_URL this is reported as skipped.
describe.skipIf(!TEST_STORE_URL)("the shared store under load [postgres]", { timeout: 300_000 }, () => {
  it("every run ends succeeded or stopped for an operator with a reason; no non-idempotent call ran twice", async () => {
    const r = await loadProof({
      url: TEST_STORE_URL!,
      runs: 20,
      steps: 10,
      workers: 2,
      concurrency: 2,
      killAt: [1 / 3],
    });
    expect(r.lost).toEqual([]);
    expect(r.twice).toEqual([]);
    expect(r.killed).toHaveLength(1);
    const total = Object.values(r.statuses).reduce((a, b) => a + b, 0);
    expect(total).toBe(20);
    for (const s of r.stopped) expect(s.reason).not.toBe("no reason recorded");
    // Every put of every succeeded run was applied exactly once.
    expect(r.nonIdempotentCalls).toBeGreaterThanOrEqual((r.statuses.succeeded ?? 0) * 5);
  });
});
