#!/usr/bin/env -S npx tsx
import { checkConfig, parseCli, runMain, say, usage } from "./cli/main.js";
import type { RunResult } from "./runner/types.js";

const HELP = `
Usage: tsx src/worker.ts [--concurrency N] [--sweep-every S] [--tools DIR] [--state-dir DIR]

Executes runs queued with \`run --enqueue\` in the shared run store
(PLANFILE_STORE_URL, or store.url in planfile.config.json), as many at once as
--concurrency (default 4). Start as many workers, on as many machines, as you
like: each run has one owner at a time. A run whose worker died is resumed by
another worker once its lock is free, and reconciled as \`run --resume\` would.
A run that needs someone (approval, an outcome no probe can tell) waits in the
store: see \`runs\`, then \`approve\`, \`run --resume\` or \`rollback\`.

--sweep-every S: how often to look for runs whose worker died (default 5 s).

Ctrl-C (or SIGTERM) once: take no new run and let the running ones finish.
Twice: leave at once; another worker picks the runs up.
`;

runMain(async () => {
  const { values } = parseCli(
    {
      options: {
        concurrency: { type: "string" },
        "sweep-every": { type: "string" },
        tools: { type: "string" },
        "state-dir": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    },
    HELP,
  );
  await checkConfig();
  const concurrency = values.concurrency === undefined ? 4 : Number(values.concurrency);
  if (!(Number.isInteger(concurrency) && concurrency >= 1))
    throw usage(`--concurrency must be a whole number ≥ 1, not ${values.concurrency}`);
  const sweepEvery = values["sweep-every"] === undefined ? 5 : Number(values["sweep-every"]);
  if (!(sweepEvery > 0)) throw usage(`--sweep-every is a number of seconds > 0, not ${values["sweep-every"]}`);
  const [{ loadRegistry }, { storeForCommand }, { startWorker }, { summarize }] = await Promise.all([
    import("./registry/index.js"),
    import("./store/for-command.js"),
    import("./worker/worker.js"),
    import("./runner/report.js"),
  ]);
  const registry = await loadRegistry({ toolsDir: values.tools, stateDir: values["state-dir"] });
  const store = await storeForCommand(registry.stateDir);
  const { PostgresRunStore } = await import("./store/postgres/store.js");
  if (!(store instanceof PostgresRunStore))
    throw usage("a worker needs a shared run store: set PLANFILE_STORE_URL (or store.url in planfile.config.json)");
  const worker = await startWorker({
    store,
    registry,
    concurrency,
    sweepMs: sweepEvery * 1000,
    onJob: (o) =>
      say(`${o.runId}: ${o.action === "ran" ? outcome(o.runId, o.result, summarize) : `skipped, ${o.reason}`}`),
    onError: (runId, error) => say(`${runId ?? "worker"}: ${(error as Error).message}`),
  });
  say(`worker ${process.pid} on ${store.where}: waiting for runs (concurrency ${concurrency})`);
  let stopping = false;
  const onSignal = () => {
    if (stopping) process.exit(130);
    stopping = true;
    say("stopping: no new run; the running ones finish (again to leave at once)");
    void worker.stop();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    await worker.done;
  } finally {
    await registry.close();
    await store.close();
  }
});

/** One line per run; a run waiting for approval names the command that gives it, from any machine. */
function outcome(runId: string, result: RunResult, summarize: (r: RunResult) => string): string {
  if (result.status === "awaiting-approval")
    return `awaiting approval of ${result.pending.join(", ")}: planfile approve ${runId} --step ${result.pending.join(",")}`;
  return summarize(result).split("\n").at(-1) ?? result.status;
}
