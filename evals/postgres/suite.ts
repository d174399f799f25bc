/**
 * The real-systems eval suite (`npm run eval -- --suite postgres`): each
 * scenario is planned by the offline planner against the running lab, run
 * with approval, graded by SQL on the final state, then rolled back with the
 * runner's own rollback and compared with the state before the run.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type pg from "pg";
import { PlanfileError } from "../../src/errors.js";
import { labStatus } from "../../src/lab/index.js";
import { loadMethods } from "../../src/planner/offline/methods.js";
import { plan } from "../../src/planner/plan.js";
import { loadRegistry } from "../../src/registry/index.js";
import { rollbackRun, run } from "../../src/runner/index.js";
import { failedCheck, perform, snapshot } from "./checks.js";
import { loadPgScenarios, type PgScenario } from "./scenario.js";

export const PG_METRICS = ["plans", "executes", "goal", "risky", "rollback"] as const;
export type PgMetric = (typeof PG_METRICS)[number];
/** A metric's cell: passed, failed with the reason, or not applicable with the reason. */
export type Cell = { ok: true } | { ok: false; why: string } | { na: string };

export interface PgRow {
  scenario: string;
  cells: Record<PgMetric, Cell>;
  ms: number;
  success: boolean;
}

export interface PgSuiteResult {
  rows: PgRow[];
  passed: number;
  wallMs: number;
  resultsFile: string;
}

export async function runPostgresSuite(options: { stateDir?: string; filter?: string } = {}): Promise<PgSuiteResult> {
  const stateDir = options.stateDir ?? ".planfile";
  const status = await labStatus(stateDir);
  const down = status?.filter((c) => !c.up).map((c) => c.name) ?? ["east", "west"];
  if (!status || down.length > 0)
    throw new PlanfileError(
      "USAGE",
      `the postgres suite runs against the lab, and ${status ? `cluster ${down.join(", ")} is down` : `there is no lab in ${stateDir}`}; start it: tsx src/lab.ts up --state-dir ${stateDir}`,
    );
  const pattern = options.filter ? new RegExp(options.filter) : undefined;
  const scenarios = loadPgScenarios().filter((s) => !pattern || pattern.test(s.name));
  const t0 = performance.now();
  const rows: PgRow[] = [];
  for (const scenario of scenarios) rows.push(await runScenario(stateDir, scenario));
  const dir = join(stateDir, "evals");
  mkdirSync(dir, { recursive: true });
  const resultsFile = join(dir, "postgres-results.json");
  writeFileSync(resultsFile, `${JSON.stringify({ rows }, null, 2)}\n`);
  return { rows, passed: rows.filter((r) => r.success).length, wallMs: performance.now() - t0, resultsFile };
}

async function runScenario(stateDir: string, scenario: PgScenario): Promise<PgRow> {
  const t0 = performance.now();
  const registry = await loadRegistry({ toolsDir: "tools", stateDir });
  const methods = await loadMethods("tools");
  const runsDir = join(stateDir, "runs");
  const secrets = Object.fromEntries(scenario.secrets.map((n) => [n, `pf-${randomBytes(18).toString("base64url")}`]));
  const env = { ...process.env, ...secrets };
  const cells: Record<PgMetric, Cell> = {
    plans: { ok: false, why: "not reached" },
    executes: { na: "nothing to run" },
    goal: { ok: false, why: "not reached" },
    risky: { na: "nothing to run" },
    rollback: { na: "nothing to run" },
  };
  const sessions: pg.Client[] = [];
  const clusters = ["east", "west"];
  try {
    await perform(stateDir, registry, scenario.setup, sessions);
    const before = await snapshot(stateDir, clusters);
    const planned = await plan(scenario.goal, { registry, methods });
    if (scenario.refused) {
      cells.plans =
        !planned.ok && planned.message.includes(scenario.refused)
          ? { ok: true }
          : {
              ok: false,
              why: planned.ok ? "planned, but must be refused" : `refused for another reason: ${planned.message}`,
            };
    } else if (!planned.ok) {
      cells.plans = { ok: false, why: planned.message };
    } else {
      cells.plans = { ok: true };
      const missing = scenario.risky.filter((id) => !planned.plan.riskySteps?.includes(id));
      cells.risky =
        missing.length === 0 ? { ok: true } : { ok: false, why: `not flagged risky: ${missing.join(", ")}` };
      const result = await run(planned.plan, { registry, runsDir, approve: "all", env });
      cells.executes = result.status === "succeeded" ? { ok: true } : { ok: false, why: `run ended ${result.status}` };
      cells.goal = await goal(stateDir, scenario, secrets);
      if (result.status === "succeeded") {
        const undone = await rollbackRun(result.runId, { registry, runsDir, env });
        if (scenario.rollback?.backToStart === false)
          cells.rollback = { na: scenario.rollback.why ?? "irreversible by design" };
        else if (undone.status !== "rolled-back")
          cells.rollback = { ok: false, why: `rollback ended ${undone.status}` };
        else {
          const after = await snapshot(stateDir, clusters);
          cells.rollback =
            JSON.stringify(after) === JSON.stringify(before)
              ? { ok: true }
              : { ok: false, why: "the lab after rollback differs from before the run" };
        }
      }
    }
    if (scenario.refused) cells.goal = await goal(stateDir, scenario, secrets);
  } catch (error) {
    cells.goal = { ok: false, why: `scenario broke: ${(error as Error).message}` };
  } finally {
    for (const s of sessions) await s.end().catch(() => {});
    await perform(stateDir, registry, scenario.teardown, []).catch(() => {});
    await registry.close?.();
  }
  const success = Object.values(cells).every((c) => !("ok" in c) || c.ok);
  return { scenario: scenario.name, cells, ms: Math.round(performance.now() - t0), success };
}

async function goal(stateDir: string, scenario: PgScenario, secrets: Record<string, string>): Promise<Cell> {
  const failures: string[] = [];
  for (const check of scenario.goalChecks) {
    const why = await failedCheck(stateDir, check, secrets);
    if (why) failures.push(`${check.says}: ${why}`);
  }
  return failures.length === 0 ? { ok: true } : { ok: false, why: failures.join("; ") };
}

export function formatPgReport(result: PgSuiteResult): string {
  const head = ["scenario", ...PG_METRICS, "ms", "result"];
  const body = result.rows.map((r) => [
    r.scenario,
    ...PG_METRICS.map((m) => {
      const c = r.cells[m];
      return "na" in c ? "n/a" : c.ok ? "✓" : "✗";
    }),
    String(r.ms),
    r.success ? "PASS" : "FAIL",
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join("  ")
      .trimEnd();
  const notes = result.rows.flatMap((r) =>
    PG_METRICS.flatMap((m) => {
      const c = r.cells[m];
      if ("na" in c) return [`  ${r.scenario} ${m}: n/a — ${c.na}`];
      return c.ok ? [] : [`  ${r.scenario} ${m}: ${c.why}`];
    }),
  );
  return [
    line(head),
    line(widths.map((w) => "-".repeat(w))),
    ...body.map(line),
    ...(notes.length ? ["", ...notes] : []),
    "",
    `${result.passed}/${result.rows.length} scenarios passed; wall ${(result.wallMs / 1000).toFixed(1)} s; results: ${result.resultsFile}`,
  ].join("\n");
}
