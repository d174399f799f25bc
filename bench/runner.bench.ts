// Runner overhead and parallelism, with the journal on (in a temp dir); runner-speed.bench.ts measures the
// issue-16 workloads at default settings beside an ideal executor.
//   1. A 1,000-step chain of no-op tools: per-step overhead (median of runs), target < 1 ms.
//   2. A 50-step graph of 20 ms steps with a 5-step critical path: wall time over the 100 ms bound
//      (target ≤ 1.15 with enough concurrency), and the speed-up over sequential execution.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Registry } from "../src/registry/index.js";
import { run } from "../src/runner/index.js";
import { journalSyncs } from "../src/runner/journal.js";
import type { Plan, Step } from "../src/schema/types.generated.js";
import { benchChain as chain, benchPlan, benchStep, benchTool } from "./runner-workloads.js";
import { median, type BenchTable } from "./table.js";

function registry(dir: string): Registry {
  return new Registry(dir).define(
    benchTool("bench.noop", true, () => ({ ok: true })),
    benchTool("bench.once", false, () => ({ ok: true })),
    benchTool("bench.sleep", true, () => new Promise((r) => setTimeout(() => r({ ok: true }), 20))),
  );
}

/** 5 layers of 10 steps; every step of layer k depends on one step of layer k-1, so the critical path is 5 steps. */
function layered(): Plan {
  const steps: Step[] = [];
  for (let layer = 0; layer < 5; layer++)
    for (let i = 0; i < 10; i++)
      steps.push(benchStep(`l${layer}-${i}`, "bench.sleep", layer ? [`l${layer - 1}-${i}`] : []));
  return benchPlan(steps);
}

async function timed(
  p: Plan,
  options: { concurrency?: number; durability?: "always" | "effects"; tool?: string } = {},
): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "planfile-bench-"));
  try {
    const t0 = performance.now();
    const result = await run(p, {
      registry: registry(dir),
      runId: "bench",
      concurrency: options.concurrency,
      durability: options.durability,
    });
    const ms = performance.now() - t0;
    if (result.status !== "succeeded") throw new Error(`bench run ended ${result.status}`);
    return ms;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export default async function (): Promise<BenchTable[]> {
  const N = 1000;
  const rows: (string | number)[][] = [];
  const cases: [string, Plan, "always" | "effects"][] = [
    ["idempotent no-op, fsync before effects (default)", chain(N, "bench.noop"), "effects"],
    ["non-idempotent no-op, fsync before effects (default)", chain(N, "bench.once"), "effects"],
    ["idempotent no-op, fsync every line", chain(N, "bench.noop"), "always"],
  ];
  await timed(chain(50, "bench.noop")); // warm up (validator, ajv compilation)
  const perStep: number[] = [];
  const syncs: number[] = [];
  for (const [name, p, durability] of cases) {
    const samples: number[] = [];
    const before = journalSyncs();
    for (let i = 0; i < 5; i++) samples.push((await timed(p, { durability })) / N);
    syncs.push((journalSyncs() - before) / 5 / N);
    rows.push([name, median(samples), Math.min(...samples), Math.max(...samples)]);
    perStep.push(median(samples));
  }

  const bound = 100;
  const par: (string | number)[][] = [];
  const graph = layered();
  let atFull = 0;
  let sequential = 0;
  for (const concurrency of [1, 4, 10, 50]) {
    const samples: number[] = [];
    for (let i = 0; i < 3; i++) samples.push(await timed(graph, { concurrency }));
    const wall = median(samples);
    if (concurrency === 1) sequential = wall;
    if (concurrency === 10) atFull = wall;
    par.push([concurrency, wall, wall / bound, sequential / wall]);
  }
  return [
    {
      title: `Runner per-step overhead: ${N}-step chain of no-op tools, journal on (ms per step, 5 runs)`,
      columns: ["case", "median", "min", "max"],
      rows,
      notes: [
        `target < 1 ms per step: ${perStep[0]! < 1 ? "met" : "NOT met"} (default durability, idempotent tools); non-idempotent steps: ${perStep[1]!.toFixed(2)} ms, ${syncs[1]!.toFixed(3)} fdatasyncs per step (group commit)`,
      ],
    },
    {
      title: "Runner parallelism: 50 steps of 20 ms, critical path 5 steps (bound 100 ms), median of 3",
      columns: ["concurrency", "wall ms", "wall / bound", "speed-up vs sequential"],
      rows: par,
      notes: [
        `target wall/bound ≤ 1.15 with enough concurrency (10): ${atFull / bound <= 1.15 ? "met" : "NOT met"} (${(atFull / bound).toFixed(3)})`,
      ],
    },
  ];
}
