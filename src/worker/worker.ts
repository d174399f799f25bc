/**
 * `planfile worker`: claims queued runs from graphile-worker and executes
 * them. Every few seconds it also looks for runs whose worker died (started or
 * claimed, not finished, nobody holding their lock) and queues them again, so
 * another worker resumes and reconciles them as `--resume` would.
 */
import { run as runQueue, type Runner } from "graphile-worker";
import type { Registry } from "../registry/registry.js";
import { queueSchema, quietLogger, RUN_TASK, RunQueue } from "../store/postgres/queue.js";
import type { PostgresRunStore } from "../store/postgres/store.js";
import { runJob, type JobOutcome } from "./run-job.js";

export interface WorkerOptions {
  store: PostgresRunStore;
  registry: Registry;
  /** Runs at once in this process; default 4. */
  concurrency?: number;
  /** How often to look for runs whose worker died; default 5 s. */
  sweepMs?: number;
  retryDelayMs?: number;
  onJob?: (outcome: JobOutcome) => void;
  onError?: (runId: string | undefined, error: unknown) => void;
}

export interface Worker {
  /** Takes no new job; resolves once the running ones finished. */
  stop(): Promise<void>;
  /** Resolves when the worker has stopped. */
  done: Promise<void>;
}

export async function startWorker(options: WorkerOptions): Promise<Worker> {
  const queue = new RunQueue(options.store);
  const runner: Runner = await runQueue({
    connectionString: options.store.url,
    schema: queueSchema(options.store),
    concurrency: options.concurrency ?? 4,
    noHandleSignals: true,
    pollInterval: 1000,
    logger: quietLogger(),
    taskList: {
      [RUN_TASK]: async (payload) => {
        const runId = (payload as { runId: string }).runId;
        try {
          options.onJob?.(
            await runJob(runId, {
              queue,
              registry: options.registry,
              retryDelayMs: options.retryDelayMs,
            }),
          );
        } catch (error) {
          options.onError?.(runId, error);
          throw error; // the queue retries it later
        }
      },
    },
  });
  const sweep = async () => {
    try {
      await queue.wakeOrphans();
    } catch (error) {
      options.onError?.(undefined, error);
    }
  };
  await sweep();
  const timer = setInterval(sweep, options.sweepMs ?? 5000);
  const done = runner.promise.finally(async () => {
    clearInterval(timer);
    await queue.close();
  });
  return {
    stop: async () => {
      clearInterval(timer);
      await runner.stop();
      await done;
    },
    done,
  };
}
