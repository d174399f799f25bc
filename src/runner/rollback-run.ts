/**
 * `tsx src/rollback.ts <run>`: finish an incomplete rollback, or undo a run on
 * demand (a finished one included), from its journal alone.
 */
import type { Registry } from "../registry/registry.js";
import type { EventListener } from "./events.js";
import { lockRun } from "./lock.js";
import { Journal } from "./journal.js";
import { loadSecrets } from "./resolve.js";
import { createContext, finish, rollBack, runsDirOf } from "./run.js";
import { loadRun, runDir } from "./state.js";
import type { RunResult, StepOutcome } from "./types.js";

export interface RollbackOptions {
  registry: Registry;
  runsDir?: string;
  onEvent?: EventListener;
  env?: Readonly<Record<string, string | undefined>>;
  retryDelayMs?: number;
  defaultRetries?: number;
  now?: () => Date;
}

export async function rollbackRun(runId: string, options: RollbackOptions): Promise<RunResult> {
  const runsDir = runsDirOf(options);
  loadRun(runsDir, runId); // RUN_NOT_FOUND before anything is created
  const lock = lockRun(runDir(runsDir, runId), runId);
  let prior;
  try {
    prior = loadRun(runsDir, runId);
  } catch (error) {
    lock.release();
    throw error;
  }
  const now = options.now ?? (() => new Date());
  const secrets = loadSecrets(prior.plan, options.env ?? process.env, options.registry);
  const journal = new Journal(runDir(runsDir, runId));
  try {
    const ctx = createContext({ runId, digest: prior.digest, plan: prior.plan, secrets, journal, options, now });
    ctx.write({ t: "resumed", digest: prior.digest });
    ctx.emit({
      type: "run-started",
      runId,
      digest: prior.digest,
      steps: prior.plan.steps.map((s) => s.id),
      dryRun: false,
      resumed: true,
    });
    const outcomes = new Map<string, StepOutcome>(prior.plan.steps.map((s) => [s.id, { status: "not-started" }]));
    for (const [id, output] of prior.returned) ctx.outputs.set(id, output);
    for (const [id, done] of prior.completed) {
      outcomes.set(id, { status: "completed", output: done.output, durationMs: done.durationMs, reused: true });
    }
    for (const [id, error] of prior.failed) outcomes.set(id, { status: "failed", error, durationMs: 0 });
    const base = () => ({ runId, digest: prior.digest, steps: Object.fromEntries(outcomes) });
    const failedStep = [...prior.failed.keys()][0];
    const reason = prior.rollback?.reason ?? "rollback requested by the operator";
    const result = await rollBack(ctx, base, reason, prior, {
      failedStep,
      error: failedStep ? prior.failed.get(failedStep) : undefined,
      cancelled: false,
    });
    return await finish(ctx, result);
  } finally {
    journal.close();
    lock.release();
  }
}
