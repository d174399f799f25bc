// The run store's cost per step: the same chains, in the same process, journaled in files and in PostgreSQL.
// PostgreSQL is used when PLANFILE_BENCH_STORE_URL (or PLANFILE_TEST_STORE_URL) names a server; without one the
// table says so instead of inventing a number.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Registry } from "../src/registry/index.js";
import { run } from "../src/runner/index.js";
import type { Plan } from "../src/schema/types.generated.js";
import { FileRunStore, type RunStore } from "../src/store/index.js";
import { PostgresRunStore } from "../src/store/postgres/store.js";
import { benchChain as chain, benchTool } from "./runner-workloads.js";
import { median, type BenchTable } from "./table.js";

const noop = () => ({ ok: true });

export const BENCH_STORE_URL = process.env.PLANFILE_BENCH_STORE_URL || process.env.PLANFILE_TEST_STORE_URL || "";

async function perStep(p: Plan, store: (dir: string) => RunStore, runId: string): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "planfile-bench-store-"));
  try {
    const registry = new Registry(dir).define(
      benchTool("bench.noop", true, noop),
      benchTool("bench.once", false, noop),
    );
    const t0 = performance.now();
    const result = await run(p, { registry, store: store(dir), runId });
    const ms = performance.now() - t0;
    if (result.status !== "succeeded") throw new Error(`bench run ended ${result.status}`);
    return ms / p.steps.length;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export default async function (): Promise<BenchTable[]> {
  const N = 200;
  const title = `Run store per-step overhead: ${N}-step chain of no-op tools, files vs PostgreSQL (ms per step, median of 5)`;
  if (!BENCH_STORE_URL)
    return [
      {
        title,
        columns: ["case", "files", "postgres", "postgres / files"],
        rows: [["skipped: set PLANFILE_BENCH_STORE_URL to a PostgreSQL server", "-", "-", "-"]],
      },
    ];
  const pg = new PostgresRunStore(BENCH_STORE_URL, { schema: `bench_${process.pid}` });
  try {
    const rows: (string | number)[][] = [];
    let n = 0;
    for (const [name, toolName] of [
      ["idempotent no-op (files: synced at the end; postgres: each intent committed first)", "bench.noop"],
      ["non-idempotent no-op (intent durable before each call, on both)", "bench.once"],
    ] as const) {
      const p = chain(N, toolName);
      await perStep(chain(20, toolName), (dir) => new FileRunStore(join(dir, "runs")), "warm"); // ajv, validator
      await perStep(chain(20, toolName), () => pg, `warm-${n++}`);
      const files: number[] = [];
      const postgres: number[] = [];
      for (let i = 0; i < 5; i++) {
        files.push(await perStep(p, (dir) => new FileRunStore(join(dir, "runs")), "bench"));
        postgres.push(await perStep(p, () => pg, `bench-${n++}`));
      }
      rows.push([name, median(files), median(postgres), median(postgres) / median(files)]);
    }
    return [
      {
        title,
        columns: ["case", "files", "postgres", "postgres / files"],
        rows,
        notes: [
          "PostgreSQL commits each tick's lines as one statement with synchronous_commit on; files fdatasync (group commit). Same runner, same plan, same process.",
          "A file line survives a killed process before its fdatasync, a PostgreSQL line before its commit does not: on PostgreSQL every intent is committed before its call (docs/decisions/0180).",
        ],
      },
    ];
  } finally {
    await (await pg.db()).query(`drop schema if exists "${pg.schema}" cascade`);
    await pg.close();
  }
}
