// The real-systems eval suite: its SQL goal checks fail on a world where the goal is not met (negative control),
// and every scenario passes when planned and run against the lab.
import { describe, expect, it } from "vitest";
import { failedCheck } from "../../evals/postgres/checks.js";
import { loadPgScenarios } from "../../evals/postgres/scenario.js";
import { runPostgresSuite } from "../../evals/postgres/suite.js";
import { SKIP_REASON, useLab } from "./helpers.js";

describe("postgres eval scenarios", () => {
  it("cover the migration, a restore from a dump, a credential rotation and a refusal, each with SQL goal checks", () => {
    const scenarios = loadPgScenarios();
    expect(scenarios.map((s) => s.name)).toEqual([
      "migrate-orders",
      "refuse-existing-target",
      "restore-from-dump",
      "rotate-app-password",
    ]);
    for (const s of scenarios)
      expect(
        s.goalChecks.some((c) => "sql" in c),
        s.name,
      ).toBe(true);
  });
});

describe.skipIf(SKIP_REASON)(`postgres eval suite on the lab${SKIP_REASON ? ` (skipped: ${SKIP_REASON})` : ""}`, () => {
  const lab = useLab();

  it("its goal checks fail where the goal is not met: the freshly seeded lab has not migrated or restored anything", async () => {
    for (const name of ["migrate-orders", "restore-from-dump"]) {
      const scenario = loadPgScenarios().find((s) => s.name === name)!;
      const failures = await Promise.all(scenario.goalChecks.map((c) => failedCheck(lab.stateDir, c, {})));
      expect(failures.filter(Boolean).length, name).toBeGreaterThanOrEqual(2);
    }
  });

  it("passes every scenario: planned, run, goal checked in SQL, rolled back to the state before", async () => {
    const result = await runPostgresSuite({ stateDir: lab.stateDir });
    const failed = result.rows.filter((r) => !r.success).map((r) => [r.scenario, r.cells]);
    expect(failed).toEqual([]);
    expect(result.passed).toBe(4);
    expect(result.rows.find((r) => r.scenario === "migrate-orders")?.cells.rollback).toEqual({ ok: true });
  }, 180_000);
});
