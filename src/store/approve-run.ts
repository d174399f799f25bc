/**
 * `planfile approve <run-id>`: approves a run's risky steps from any machine,
 * recording who and the plan digest. A started run gets an `approved` line in
 * its journal (under its lock, so never while a process acts on it); a queued
 * run not started yet keeps the approval with its queue entry. Either way a
 * worker then picks it up.
 */
import { PlanfileError } from "../errors.js";
import { foldJournal } from "../runner/state.js";
import type { RunQueue } from "./postgres/queue.js";
import type { RunStore } from "./types.js";

export interface Approval {
  runId: string;
  digest: string;
  approved: string[];
  /** Risky steps still waiting for someone. */
  pending: string[];
  /** A worker was woken for it (a shared store). */
  queued: boolean;
}

export async function approveRun(
  store: RunStore,
  runId: string,
  steps: string[] | "all",
  by: string,
  now: () => Date = () => new Date(),
): Promise<Approval> {
  const queue = await queueOf(store);
  try {
    return await approve(store, queue, runId, steps, by, now);
  } finally {
    await queue?.close();
  }
}

async function approve(
  store: RunStore,
  queue: RunQueue | undefined,
  runId: string,
  steps: string[] | "all",
  by: string,
  now: () => Date,
): Promise<Approval> {
  if ((await store.presence(runId)) !== "started") {
    const queued = await queue?.get(runId);
    if (!queue || !queued?.plan) await store.read(runId); // RUN_NOT_FOUND, naming how to list runs
    const plan = queued!.plan!;
    const before = queued!.approve === "all" ? plan.riskySteps : (queued!.approve ?? []);
    const chosen = pick(plan.riskySteps, before, steps, runId);
    const approve = [...new Set([...before, ...chosen])];
    await queue!.preapprove(runId, approve, by);
    return {
      runId,
      digest: queued!.digest!,
      approved: chosen,
      pending: plan.riskySteps.filter((s) => !approve.includes(s)),
      queued: true,
    };
  }
  const state = foldJournal(await store.read(runId));
  if (state.status && state.status !== "awaiting-approval")
    throw new PlanfileError("USAGE", `run ${runId} is ${state.status}: there is nothing left to approve`);
  const already = [...state.approved.keys(), ...state.completed.keys()];
  const chosen = pick(state.plan.riskySteps, already, steps, runId);
  if (chosen.length > 0) {
    const lock = await store.lock(runId);
    try {
      const journal = lock.journal();
      journal.append({
        t: "approved",
        at: now().toISOString(),
        steps: chosen,
        by,
        digest: state.digest,
        via: "command",
      });
      await journal.sync();
      await journal.close();
    } finally {
      await lock.release();
    }
  }
  const pending = state.plan.riskySteps.filter((s) => !already.includes(s) && !chosen.includes(s));
  if (queue && pending.length === 0 && (await queue.get(runId))?.plan) {
    await queue.requeue(runId);
    return { runId, digest: state.digest, approved: chosen, pending, queued: true };
  }
  return { runId, digest: state.digest, approved: chosen, pending, queued: false };
}

/** The steps to approve now: all still pending, or those named (each must be a risky step). */
function pick(risky: string[], done: string[], steps: string[] | "all", runId: string): string[] {
  if (steps === "all") return risky.filter((s) => !done.includes(s));
  const unknown = steps.filter((s) => !risky.includes(s));
  if (unknown.length > 0)
    throw new PlanfileError(
      "USAGE",
      `--step ${unknown.join(",")}: not a risky step of run ${runId}. Risky steps: ${risky.join(", ") || "none (nothing needs approval)"}`,
    );
  return steps.filter((s) => !done.includes(s));
}

/** The queue beside a shared store; the file store has none (and never loads pg). */
async function queueOf(store: RunStore): Promise<RunQueue | undefined> {
  if (!store.shared) return undefined;
  const [{ RunQueue }, { PostgresRunStore }] = await Promise.all([
    import("./postgres/queue.js"),
    import("./postgres/store.js"),
  ]);
  return store instanceof PostgresRunStore ? new RunQueue(store) : undefined;
}
