// The migration on real clusters: rows per second migrated by the plan against a bare
// `pg_dump -Fc | pg_restore` of the same database in the same run, on a lab of its own.
// `npx tsx bench/index.ts postgres` (PLANFILE_BENCH_PG_ROWS sets the seed size; default 1,000,000).
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { findPgBin, INSTALL_HINT, labDown, labUp } from "../src/lab/index.js";
import { loadMethods } from "../src/planner/offline/methods.js";
import { plan } from "../src/planner/plan.js";
import { loadRegistry } from "../src/registry/index.js";
import { run } from "../src/runner/index.js";
import type { BenchTable } from "./table.js";

const ROWS = Number(process.env.PLANFILE_BENCH_PG_ROWS ?? 1_000_000);
const CRITICAL_PATH = ["snapshot", "freeze", "dump", "restore", "verify", "cutover"];

export default async function bench(): Promise<BenchTable[]> {
  const bin = findPgBin();
  if (!bin) {
    console.log(`\npostgres bench skipped: PostgreSQL programs not found; ${INSTALL_HINT}`);
    return [];
  }
  const stateDir = await mkdtemp(join(tmpdir(), "planfile-bench-pg-"));
  try {
    const lab = await labUp({ stateDir, ports: { east: 0, west: 0 }, rows: ROWS });
    const [east, west] = lab.clusters;
    const total = await totalRows(east!.port);

    const bareMs = await bareCopy(bin, east!.port, west!.port);

    const registry = await loadRegistry({ toolsDir: "tools", stateDir });
    const planned = await plan("Migrate the orders database from cluster east to cluster west", {
      registry,
      methods: await loadMethods("tools"),
    });
    if (!planned.ok) throw new Error(planned.message);
    const t0 = performance.now();
    const result = await run(planned.plan, { registry, runsDir: join(stateDir, "runs"), approve: "all" });
    const planMs = performance.now() - t0;
    await registry.close?.();
    if (result.status !== "succeeded") throw new Error(`the migration ended ${result.status}`);
    const ms = (id: string) => (result.steps[id] as { durationMs: number }).durationMs;
    const copyMs = ms("dump") + ms("restore");
    const pathMs = CRITICAL_PATH.reduce((s, id) => s + ms(id), 0);
    const ratio = planMs / bareMs;
    const rate = (t: number) => Math.round(total / (t / 1000));
    return [
      {
        title: `postgres migration, ${total.toLocaleString("en-US")} rows of orders, east → west on the lab (2-core machine)`,
        columns: ["what", "wall s", "rows/s", "vs bare"],
        rows: [
          ["bare pg_dump -Fc | pg_restore", bareMs / 1000, rate(bareMs), 1],
          [
            "the plan: snapshot, freeze, dump, create, restore, verify checksums, cut-over",
            planMs / 1000,
            rate(planMs),
            ratio,
          ],
          ["  its dump + restore steps alone", copyMs / 1000, rate(copyMs), copyMs / bareMs],
          ["  its other steps (snapshot dump, freeze, verify, cut-over)", (pathMs - copyMs) / 1000, "-", "-"],
          ["  planfile's own overhead (wall − tool time on the critical path)", (planMs - pathMs) / 1000, "-", "-"],
        ],
        notes: [
          `target: plan ≤ 1.2x the bare copy — ${ratio <= 1.2 ? "holds" : "MISSED"} (${ratio.toFixed(2)}x). The plan does more than copy: a second full dump kept as the fall-back, and content checksums of every row on both clusters; its dump+restore alone is ${(copyMs / bareMs).toFixed(2)}x (a file between them instead of a pipe, so they cannot overlap), and planfile's own share is ${(planMs - pathMs).toFixed(0)} ms.`,
        ],
      },
    ];
  } finally {
    await labDown({ stateDir, destroy: true }).catch(() => {});
    await rm(stateDir, { recursive: true, force: true });
  }
}

async function totalRows(port: number): Promise<number> {
  const client = new pg.Client({ host: "127.0.0.1", port, user: "postgres", database: "orders" });
  await client.connect();
  try {
    const { rows } = await client.query(
      "SELECT (SELECT count(*) FROM customers) + (SELECT count(*) FROM products) + (SELECT count(*) FROM orders) + (SELECT count(*) FROM order_items) + (SELECT count(*) FROM payments) AS n",
    );
    return Number(rows[0].n);
  } finally {
    await client.end();
  }
}

/** pg_dump piped into pg_restore (one transaction, as the pack restores), into a fresh database on west. */
async function bareCopy(bin: string, eastPort: number, westPort: number): Promise<number> {
  const admin = new pg.Client({ host: "127.0.0.1", port: westPort, user: "postgres", database: "postgres" });
  await admin.connect();
  await admin.query("CREATE DATABASE orders_bare TEMPLATE template0");
  try {
    const t0 = performance.now();
    await new Promise<void>((resolve, reject) => {
      const env = { ...process.env, PGHOST: "127.0.0.1", PGUSER: "postgres" };
      const dump = spawn(join(bin, "pg_dump"), ["-Fc", "-p", String(eastPort), "orders"], {
        env,
        stdio: ["ignore", "pipe", "inherit"],
      });
      const restore = spawn(
        join(bin, "pg_restore"),
        ["--no-owner", "--single-transaction", "--exit-on-error", "-p", String(westPort), "-d", "orders_bare"],
        { env, stdio: ["pipe", "ignore", "inherit"] },
      );
      dump.stdout!.pipe(restore.stdin!);
      restore.on("error", reject);
      restore.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`pg_restore exited ${code}`))));
    });
    return performance.now() - t0;
  } finally {
    await admin.query("DROP DATABASE orders_bare WITH (FORCE)");
    await admin.end();
  }
}
