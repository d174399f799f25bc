// The load proof: 200 sandbox runs × 10 steps, enqueued, executed by 4 worker processes; one is SIGKILLed a
// third of the way, another at two thirds. Every run must end succeeded or stopped for an operator with a
// reason, and no non-idempotent call may have been applied twice (the sandbox's call log, by idempotency key).
import { BENCH_STORE_URL } from "./store.bench.js";
import { loadProof } from "./store-load.js";
import type { BenchTable } from "./table.js";

export default async function (): Promise<BenchTable[]> {
  const title = "Shared store under load: 200 runs × 10 steps, 4 workers (2 runs each at once), 2 SIGKILLed";
  if (!BENCH_STORE_URL)
    return [{ title, columns: ["measure", "value"], rows: [["skipped: set PLANFILE_BENCH_STORE_URL", "-"]] }];
  const r = await loadProof({
    url: BENCH_STORE_URL,
    runs: 200,
    steps: 10,
    workers: 4,
    concurrency: 2,
    killAt: [1 / 3, 2 / 3],
  });
  const unexplained = r.stopped.filter((s) => s.reason === "no reason recorded");
  if (r.twice.length > 0 || r.lost.length > 0 || unexplained.length > 0)
    throw new Error(
      `load proof failed: twice ${r.twice.join(", ")}; lost ${r.lost.join(", ")}; unexplained ${unexplained.map((s) => s.runId).join(", ")}`,
    );
  return [
    {
      title,
      columns: ["measure", "value"],
      rows: [
        ...Object.entries(r.statuses).map(([k, v]) => [`runs ${k}`, v] as [string, number]),
        ["runs lost (no journal)", r.lost.length],
        ["non-idempotent calls applied", r.nonIdempotentCalls],
        ["applied twice (same idempotency key)", r.twice.length],
        ["workers SIGKILLed at runs finished", r.killed.join(", ")],
        ["runs resumed by another worker", r.resumed],
        ["wall s", r.wallMs / 1000],
        ["runs / min", (200 / r.wallMs) * 60_000],
        ["steps / s", (r.stepsCompleted / r.wallMs) * 1000],
      ],
      notes: r.stopped.slice(0, 10).map((s) => `stopped for an operator: ${s.runId} ${s.status}: ${s.reason}`),
    },
  ];
}
