// The migration on real clusters: rows per second migrated by the plan against a bare
// `pg_dump -Fc | pg_restore` of the same database in the same run, on a lab of its own.
// `npx tsx bench/index.ts postgres`. PLANFILE_BENCH_PG_ROWS sets the seed size (default: the lab's
// 1,000,000), PLANFILE_BENCH_PG_RUNS the pairs of runs (default 5); bare and plan alternate, and
// which goes first alternates too, so neither always finds the caches warm.
import { spawn } from "node:child_process";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { findPgBin, INSTALL_HINT, labDown, labUp } from "../src/lab/index.js";
import { loadMethods } from "../src/planner/offline/methods.js";
import { plan } from "../src/planner/plan.js";
import { loadRegistry, type Registry } from "../src/registry/index.js";
import { run } from "../src/runner/index.js";
import type { Plan } from "../src/schema/types.generated.js";
import { DUMP_COMPRESSION } from "../tools/postgres/dump.js";
import { type BenchTable, median } from "./table.js";

const ROWS = Number(process.env.PLANFILE_BENCH_PG_ROWS ?? 1_000_000);
const RUNS = Number(process.env.PLANFILE_BENCH_PG_RUNS ?? 5);
const GOAL = "Migrate the orders database from cluster east to cluster west";

interface PlanRun {
  wallMs: number;
  steps: Record<string, number>;
  criticalMs: number;
}

export default async function bench(): Promise<BenchTable[]> {
  const bin = findPgBin();
  if (!bin) {
    console.log(`\npostgres bench skipped: PostgreSQL programs not found; ${INSTALL_HINT}`);
    return [];
  }
  const loadAtStart = loadavg()[0]!;
  const stateDir = await mkdtemp(join(tmpdir(), "planfile-bench-pg-"));
  try {
    const lab = await labUp({ stateDir, ports: { east: 0, west: 0 }, rows: ROWS });
    const [east, west] = lab.clusters;
    const total = await totalRows(east!.port);
    const registry = await loadRegistry({ toolsDir: "tools", stateDir });
    const methods = await loadMethods("tools");
    const bare: number[] = [];
    const runs: PlanRun[] = [];
    for (let i = 0; i < RUNS; i++) {
      const planFirst = i % 2 === 1;
      if (planFirst) runs.push(await planRun(registry, methods, stateDir, east!.port, west!.port));
      bare.push(await bareCopy(bin, east!.port, west!.port));
      if (!planFirst) runs.push(await planRun(registry, methods, stateDir, east!.port, west!.port));
    }
    await registry.close?.();
    const bareMs = median(bare);
    const planMs = median(runs.map((r) => r.wallMs));
    const ratio = planMs / bareMs;
    const rate = (t: number) => Math.round(total / (t / 1000));
    const stepIds = Object.keys(runs[0]!.steps);
    const stepMs = (id: string) => median(runs.map((r) => r.steps[id] ?? 0));
    const ownMs = median(runs.map((r) => r.wallMs - r.criticalMs));
    const spread = (xs: number[]) => `${(Math.min(...xs) / 1000).toFixed(2)}–${(Math.max(...xs) / 1000).toFixed(2)}`;
    return [
      {
        title: `postgres migration, ${total.toLocaleString("en-US")} rows of orders, east → west on the lab (medians of ${RUNS} alternating runs)`,
        columns: ["what", "median s", "range s", "rows/s", "vs bare"],
        rows: [
          [
            `bare: CREATE DATABASE, pg_dump -Fc -Z${DUMP_COMPRESSION} | pg_restore --single-transaction`,
            bareMs / 1000,
            spread(bare),
            rate(bareMs),
            1,
          ],
          [`the plan: ${stepIds.join(", ")}`, planMs / 1000, spread(runs.map((r) => r.wallMs)), rate(planMs), ratio],
          ...stepIds.map((id) => [`  step ${id}`, stepMs(id) / 1000, "-", "-", stepMs(id) / bareMs]),
          ["  planfile's own share (wall − tool time on the critical path)", ownMs / 1000, "-", "-", ownMs / bareMs],
        ],
        notes: [
          `target: plan ≤ 1.2x the bare copy — ${ratio <= 1.2 ? "holds" : "MISSED"} (${ratio.toFixed(2)}x). Both dump with the same compression (-Z${DUMP_COMPRESSION}) and create the target from template0 inside the timed span; the bare copy pipes pg_dump into pg_restore and proves nothing, the plan also freezes the source, keeps the dump as the fall-back, checks content checksums of every row on both clusters and cuts clients over.`,
          ...(stepIds.includes("verify") && stepIds.includes("dump") && stepIds.includes("restore")
            ? [
                `where the plan's time goes, against the bare copy: dump then restore through a kept file (not a pipe, so they cannot overlap) ${((stepMs("dump") + stepMs("restore")) / bareMs).toFixed(2)}x; verify, a 64-bit hash of every row on both clusters at once, ${(stepMs("verify") / bareMs).toFixed(2)}x; planfile itself ${(ownMs / bareMs).toFixed(2)}x. Load average at the start: ${loadAtStart.toFixed(1)} on ${availableParallelism()} cores.`,
              ]
            : []),
        ],
      },
    ];
  } finally {
    await labDown({ stateDir, destroy: true }).catch(() => {});
    await rm(stateDir, { recursive: true, force: true });
  }
}

async function planRun(
  registry: Registry,
  methods: Awaited<ReturnType<typeof loadMethods>>,
  stateDir: string,
  eastPort: number,
  westPort: number,
): Promise<PlanRun> {
  const planned = await plan(GOAL, { registry, methods });
  if (!planned.ok) throw new Error(planned.message);
  const t0 = performance.now();
  const result = await run(planned.plan, { registry, runsDir: join(stateDir, "runs"), approve: "all" });
  const wallMs = performance.now() - t0;
  if (result.status !== "succeeded") throw new Error(`the migration ended ${result.status}`);
  const steps = Object.fromEntries(
    planned.plan.steps.map((s) => [s.id, (result.steps[s.id] as { durationMs: number }).durationMs]),
  );
  await undoMigration(stateDir, eastPort, westPort);
  return { wallMs, steps, criticalMs: criticalPath(planned.plan, steps) };
}

/** The longest chain of step durations through dependsOn: what the wall time would be with no runner at all. */
function criticalPath(p: Plan, steps: Record<string, number>): number {
  const finish = new Map<string, number>();
  const at = (id: string): number => {
    const known = finish.get(id);
    if (known !== undefined) return known;
    const step = p.steps.find((s) => s.id === id)!;
    const value = (steps[id] ?? 0) + Math.max(0, ...(step.dependsOn ?? []).map(at));
    finish.set(id, value);
    return value;
  };
  return Math.max(...p.steps.map((s) => at(s.id)));
}

/** Puts the lab back as it was before the plan ran (not timed): east writable and in the catalog, no copy, no dumps. */
async function undoMigration(stateDir: string, eastPort: number, westPort: number): Promise<void> {
  await sql(westPort, "postgres", "DROP DATABASE IF EXISTS orders WITH (FORCE)");
  await sql(eastPort, "postgres", "ALTER DATABASE orders RESET default_transaction_read_only");
  await sql(
    eastPort,
    "catalog",
    `UPDATE services SET cluster = 'east', host = '127.0.0.1', port = ${eastPort}, database = 'orders' WHERE name = 'orders'`,
  );
  const dumps = join(stateDir, "postgres", "dumps");
  for (const f of await readdir(dumps)) await rm(join(dumps, f), { force: true });
}

async function sql(port: number, database: string, text: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ host: "127.0.0.1", port, user: "postgres", database });
  await client.connect();
  try {
    return await client.query(text);
  } finally {
    await client.end();
  }
}

async function totalRows(port: number): Promise<number> {
  const { rows } = await sql(
    port,
    "orders",
    "SELECT (SELECT count(*) FROM customers) + (SELECT count(*) FROM products) + (SELECT count(*) FROM orders) + (SELECT count(*) FROM order_items) + (SELECT count(*) FROM payments) AS n",
  );
  return Number(rows[0].n);
}

/**
 * What an operator would type: create the target from template0, as the plan's create step does, and pipe
 * pg_dump (the pack's compression) into pg_restore in one transaction. Timed from CREATE DATABASE to commit.
 */
async function bareCopy(bin: string, eastPort: number, westPort: number): Promise<number> {
  const t0 = performance.now();
  await sql(westPort, "postgres", "CREATE DATABASE orders_bare TEMPLATE template0 ENCODING 'UTF8'");
  try {
    await new Promise<void>((resolve, reject) => {
      const env = { PATH: process.env.PATH ?? "", PGHOST: "127.0.0.1", PGUSER: "postgres" };
      const dump = spawn(join(bin, "pg_dump"), ["-Fc", `-Z${DUMP_COMPRESSION}`, "-p", String(eastPort), "orders"], {
        env,
        stdio: ["ignore", "pipe", "inherit"],
      });
      const restore = spawn(
        join(bin, "pg_restore"),
        ["--no-owner", "--single-transaction", "--exit-on-error", "-p", String(westPort), "-d", "orders_bare"],
        { env, stdio: ["pipe", "ignore", "inherit"] },
      );
      dump.stdout!.pipe(restore.stdin!);
      dump.on("error", reject);
      restore.on("error", reject);
      restore.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`pg_restore exited ${code}`))));
    });
    return performance.now() - t0;
  } finally {
    await sql(westPort, "postgres", "DROP DATABASE orders_bare WITH (FORCE)");
  }
}
