// The load proof of the shared run store (issue 15): many sandbox runs enqueued, executed by several worker
// processes, two of them SIGKILLed part-way. Used by bench/store-load.bench.ts (200 runs × 10 steps, 4 workers)
// and, smaller, by test/store/load.test.ts.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadRegistry } from "../src/registry/index.js";
import { foldJournal } from "../src/runner/state.js";
import type { Plan } from "../src/schema/types.generated.js";
import { RunQueue } from "../src/store/postgres/queue.js";
import { PostgresRunStore } from "../src/store/postgres/store.js";
import { validatePlanData } from "../src/validator/index.js";
import { readWorld, resetWorld } from "../tools/sandbox/world/index.js";

export interface LoadOptions {
  url: string;
  runs: number;
  /** Steps per run (pairs of a non-idempotent secrets.put and a read of it). */
  steps: number;
  workers: number;
  concurrency: number;
  /** Fractions of finished runs at which one more worker is SIGKILLed. */
  killAt: number[];
}

export interface LoadResult {
  wallMs: number;
  statuses: Record<string, number>;
  /** Runs not succeeded, with the reason the store gives an operator. */
  stopped: { runId: string; status: string; reason: string }[];
  lost: string[];
  /** Non-idempotent calls applied more than once, by tool and idempotency key (must be empty). */
  twice: string[];
  nonIdempotentCalls: number;
  stepsCompleted: number;
  killed: number[];
  /** Runs a second process took over after their worker died. */
  resumed: number;
}

const FINAL = new Set([
  "succeeded",
  "rolled-back",
  "partially-rolled-back",
  "rollback-incomplete",
  "outcome-unknown",
  "awaiting-approval",
  "rejected",
  "stale",
  "invalid",
  "digest-mismatch",
]);

function plan(i: number, steps: number): Plan {
  const list = [];
  for (let k = 0; k < steps; k++) {
    const name = `load-${i}-${k >> 1}`;
    list.push(
      k % 2 === 0
        ? {
            id: `put${k >> 1}`,
            tool: "sandbox.secrets.put",
            args: { name, value: `v${i}` },
            expectedOutcome: `${name} holds a new version`,
            rollback: {
              tool: "sandbox.secrets.rollback",
              args: { name, toVersion: `\${{ steps.put${k >> 1}.outputs.previousVersion }}` },
            },
            ...(k ? { dependsOn: [`get${(k >> 1) - 1}`] } : {}),
          }
        : {
            id: `get${k >> 1}`,
            tool: "sandbox.secrets.get",
            args: { name },
            dependsOn: [`put${k >> 1}`],
            expectedOutcome: `${name} is there`,
            rollback: { none: "read-only" },
          },
    );
  }
  return {
    apiVersion: "planfile/v1",
    kind: "Plan",
    metadata: { name: `load-${i}`, goal: "load proof", planner: { name: "hand" } },
    requiresConfirmation: false,
    riskySteps: [],
    steps: list,
  } as unknown as Plan;
}

export async function loadProof(options: LoadOptions): Promise<LoadResult> {
  const state = mkdtempSync(join(tmpdir(), "planfile-load-"));
  resetWorld(state);
  const schema = `load_${process.pid}_${Date.now().toString(36)}`;
  const store = new PostgresRunStore(options.url, { schema });
  const queue = new RunQueue(store);
  const registry = await loadRegistry({ stateDir: state });
  const workers: ChildProcess[] = [];
  try {
    const env = { ...process.env, PLANFILE_STORE_URL: options.url, PLANFILE_STORE_SCHEMA: schema };
    for (let i = 0; i < options.runs; i++) {
      const p = plan(i, options.steps);
      const v = validatePlanData(p, registry);
      if (!v.ok) throw new Error(v.problems.map((x) => x.message).join("\n"));
      await queue.enqueue({ runId: `load-${String(i).padStart(4, "0")}`, plan: p, digest: v.digest, by: "bench" });
    }
    const t0 = performance.now();
    for (let w = 0; w < options.workers; w++) {
      const child = spawn(
        process.execPath,
        [
          "--import",
          "tsx",
          "src/worker.ts",
          "--state-dir",
          state,
          "--concurrency",
          String(options.concurrency),
          "--sweep-every",
          "1",
        ],
        { env, stdio: ["ignore", "ignore", "ignore"] },
      );
      workers.push(child);
    }
    const killed: number[] = [];
    const db = await store.db();
    for (;;) {
      const { rows } = await db.query(`select status, count(*)::int as n from ${store.table("runs")} group by status`);
      const done = rows.filter((r) => FINAL.has(r.status)).reduce((a, r) => a + r.n, 0);
      const next = options.killAt[killed.length];
      if (next !== undefined && done >= next * options.runs) {
        const victim = workers[killed.length]!;
        victim.kill("SIGKILL");
        killed.push(done);
      }
      if (done === options.runs) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const wallMs = performance.now() - t0;

    const stored = await store.list();
    const statuses: Record<string, number> = {};
    const stopped: LoadResult["stopped"] = [];
    let stepsCompleted = 0;
    let resumed = 0;
    for (const r of stored) {
      if (r.entries.length === 0) continue;
      const s = foldJournal(r.entries);
      const status = s.status ?? "unfinished";
      statuses[status] = (statuses[status] ?? 0) + 1;
      stepsCompleted += s.completed.size;
      if (r.entries.some((e) => e.t === "resumed")) resumed++;
      if (status !== "succeeded") stopped.push({ runId: r.runId, status, reason: reasonOf(s.summary) });
    }
    const lost = stored.filter((r) => r.entries.length === 0).map((r) => r.runId);
    const world = readWorld(state);
    const seen = new Map<string, number>();
    for (const c of world.calls)
      if (c.tool === "sandbox.secrets.put" && c.ok && !c.replay)
        seen.set(`${c.tool} ${c.idempotencyKey}`, (seen.get(`${c.tool} ${c.idempotencyKey}`) ?? 0) + 1);
    const twice = [...seen].filter(([, n]) => n > 1).map(([k]) => k);
    return {
      wallMs,
      statuses,
      stopped,
      lost,
      twice,
      nonIdempotentCalls: [...seen.values()].reduce((a, b) => a + b, 0),
      stepsCompleted,
      killed,
      resumed,
    };
  } finally {
    for (const w of workers) w.kill("SIGKILL");
    await queue.close();
    await (await store.db()).query(`drop schema if exists "${schema}", "${schema}_queue" cascade`).catch(() => {});
    await store.close();
    await registry.close();
  }
}

/** What an operator reads about a stopped run: the unknown steps, or the rollback's reason. */
function reasonOf(summary: unknown): string {
  const s = summary as { unknown?: { step: string; reason?: string }[]; reason?: string; pending?: string[] };
  if (s?.unknown) return `outcome unknown: ${s.unknown.map((u) => u.step).join(", ")}`;
  if (s?.reason) return s.reason;
  if (s?.pending) return `awaiting approval of ${s.pending.join(", ")}`;
  return "no reason recorded";
}
