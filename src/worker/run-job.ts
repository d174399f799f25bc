/**
 * One queue job: "look at run X". The worker runs (or resumes) the run the
 * way `planfile run` does, with what was approved when it was enqueued; the
 * store's run lock makes sure only one process acts on it. A run that needs
 * an operator (approval, an outcome no probe can tell, a rollback that cannot
 * finish) ends with its status in the store, for `planfile approve`,
 * `run --resume` or `rollback` from any machine.
 */
import type { Registry } from "../registry/registry.js";
import { run } from "../runner/run.js";
import { RunnerError } from "../runner/runner-error.js";
import type { RunResult } from "../runner/types.js";
import type { RunQueue } from "../store/postgres/queue.js";
import { validatePlanData } from "../validator/index.js";

/** What became of one job, for the worker's log. */
export type JobOutcome =
  | { runId: string; action: "ran"; result: RunResult }
  | { runId: string; action: "skipped"; reason: string };

/** Store statuses a worker acts on: never started, or started and not finished (its owner died). */
const ACTIONABLE = new Set(["queued", "running"]);

export async function runJob(
  runId: string,
  context: { queue: RunQueue; registry: Registry; signal?: AbortSignal; retryDelayMs?: number },
): Promise<JobOutcome> {
  const { queue, registry } = context;
  const queued = await queue.get(runId);
  if (!queued?.plan) return { runId, action: "skipped", reason: "not a queued run" };
  if (!ACTIONABLE.has(queued.status)) return { runId, action: "skipped", reason: `it is ${queued.status}` };
  const holder = await queue.store.holder(runId);
  if (holder) return { runId, action: "skipped", reason: `process ${holder.pid} on ${holder.host} has it` };

  const validation = validatePlanData(queued.plan, registry);
  if (!validation.ok) {
    await queue.refuse(runId, "invalid");
    return { runId, action: "skipped", reason: "its plan no longer validates against this worker's tools" };
  }
  if (validation.digest !== queued.digest) {
    await queue.refuse(runId, "digest-mismatch");
    return { runId, action: "skipped", reason: `its plan is not the one enqueued (${queued.digest})` };
  }
  const started = (await queue.store.presence(runId)) === "started";
  try {
    const result = await run(queued.plan, {
      registry,
      store: queue.store,
      runId,
      resume: started,
      ...(queued.approve ? { approve: queued.approve } : {}),
      ...(queued.approvedBy ? { approvedBy: queued.approvedBy } : {}),
      ...(context.signal ? { signal: context.signal } : {}),
      ...(context.retryDelayMs !== undefined ? { retryDelayMs: context.retryDelayMs } : {}),
    });
    return { runId, action: "ran", result };
  } catch (error) {
    // Another process took it between our look and our lock: it is theirs.
    if (error instanceof RunnerError && error.code === "RUN_BUSY")
      return { runId, action: "skipped", reason: error.message };
    throw error;
  }
}
