/**
 * The run queue: runs enqueued in the store (their plan validated and pinned
 * by digest), and graphile-worker jobs that wake a worker for each
 * (docs/decisions/0181-run-queue.md). The job only says "look at run X"; the
 * store's run lock decides who acts on it, so a job delivered twice, or late,
 * does nothing wrong.
 */
import { hostname } from "node:os";
import { Logger, makeWorkerUtils, type WorkerUtils } from "graphile-worker";
import type { Plan } from "../../schema/types.generated.js";
import { RunnerError } from "../../runner/runner-error.js";
import type { PostgresRunStore } from "./store.js";

export const RUN_TASK = "planfile_run";

export interface QueuedRun {
  runId: string;
  status: string;
  plan: Plan | null;
  digest: string | null;
  approve: string[] | "all" | null;
  approvedBy: string | null;
}

/** graphile-worker's schema beside the store's: one store, one queue. */
export function queueSchema(store: PostgresRunStore): string {
  return `${store.schema}_queue`;
}

export class RunQueue {
  private utils: Promise<WorkerUtils> | undefined;
  constructor(readonly store: PostgresRunStore) {}

  private async jobs(): Promise<WorkerUtils> {
    this.utils ??= (async () => {
      const utils = await makeWorkerUtils({
        connectionString: this.store.url,
        schema: queueSchema(this.store),
        logger: quietLogger(),
      });
      await utils.migrate();
      return utils;
    })();
    return this.utils;
  }

  /** Puts a validated plan in the store as run `runId`, and a job in the queue. */
  async enqueue(input: {
    runId: string;
    plan: Plan;
    digest: string;
    by: string;
    approve?: string[] | "all";
    approvedBy?: string;
  }): Promise<void> {
    const db = await this.store.db();
    const inserted = await db.query(
      `insert into ${this.store.table("runs")}
         (run_id, plan_name, digest, host, pid, status, queued_plan, queued_by, queued_approve, queued_approved_by)
       values ($1, $2, $3, $4, $5, 'queued', $6, $7, $8, $9)
       on conflict (run_id) do nothing`,
      [
        input.runId,
        input.plan.metadata.name,
        input.digest,
        hostname(),
        process.pid,
        JSON.stringify(input.plan),
        input.by,
        input.approve === undefined ? null : JSON.stringify(input.approve),
        input.approvedBy ?? null,
      ],
    );
    if (inserted.rowCount === 0)
      throw new RunnerError(
        "RUN_BUSY",
        `run ${input.runId} already exists in ${this.store.where}; pick another --run-id`,
      );
    await this.wake(input.runId);
  }

  /** A job for run `runId`; one pending job per run (the job key), whoever asks. */
  async wake(runId: string): Promise<void> {
    await (await this.jobs()).addJob(
      RUN_TASK,
      { runId },
      { jobKey: runId, jobKeyMode: "preserve_run_at", maxAttempts: 5 },
    );
  }

  async get(runId: string): Promise<QueuedRun | undefined> {
    const db = await this.store.db();
    const { rows } = await db.query(
      `select run_id, status, queued_plan, digest, queued_approve, queued_approved_by from ${this.store.table("runs")} where run_id = $1`,
      [runId],
    );
    const r = rows[0];
    return r
      ? {
          runId: r.run_id,
          status: r.status,
          plan: r.queued_plan,
          digest: r.digest,
          approve: r.queued_approve,
          approvedBy: r.queued_approved_by,
        }
      : undefined;
  }

  /** Approvals given before the run started: the worker passes them to the run, as `--approve` would. */
  async preapprove(runId: string, steps: string[], by: string): Promise<void> {
    const db = await this.store.db();
    await db.query(
      `update ${this.store.table("runs")} set queued_approve = $2, queued_approved_by = $3, updated_at = now() where run_id = $1`,
      [runId, JSON.stringify(steps), by],
    );
  }

  /** A started run ready to go on (approved): a worker resumes it. */
  async requeue(runId: string): Promise<void> {
    const db = await this.store.db();
    await db.query(`update ${this.store.table("runs")} set status = 'queued', updated_at = now() where run_id = $1`, [
      runId,
    ]);
    await this.wake(runId);
  }

  /** Records a run the worker would not start (its plan no longer validates as enqueued). */
  async refuse(runId: string, status: string): Promise<void> {
    const db = await this.store.db();
    await db.query(`update ${this.store.table("runs")} set status = $2, updated_at = now() where run_id = $1`, [
      runId,
      status,
    ]);
  }

  /**
   * Runs a worker should be working on but nobody is: queued or started, not
   * finished, and no live process holds them (their worker died). Each gets a
   * job again; the dead worker's own job is left to the queue.
   */
  async wakeOrphans(): Promise<string[]> {
    const db = await this.store.db();
    const { rows } = await db.query(
      `select r.run_id from ${this.store.table("runs")} r
        where r.queued_plan is not null
          and (r.status = 'running' or (r.status = 'queued' and r.updated_at < now() - interval '10 seconds'))
          and not exists (${this.store.holderQuery("r.run_id")})`,
    );
    for (const r of rows) await this.wake(r.run_id);
    return rows.map((r) => r.run_id as string);
  }

  async close(): Promise<void> {
    if (this.utils) await (await this.utils).release();
  }
}

/** graphile-worker logs every job at info level; the worker reports runs itself. */
export function quietLogger(): Logger {
  return new Logger(() => (level, message) => {
    if (level === "error") process.stderr.write(`graphile-worker: ${message}\n`);
  });
}
