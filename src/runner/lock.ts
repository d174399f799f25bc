/**
 * One process acts on a run at a time: two `--resume`s (or a resume and a
 * rollback) of the same run would both call tools.
 */
import { hostname } from "node:os";
import { join } from "node:path";
import { acquireLockFile, LockBusy, lockHolder } from "../lock-file.js";
import { JOURNAL_FILE, journalBytes } from "./journal.js";
import { RunnerError } from "./runner-error.js";

export interface RunLock {
  release(): void;
}

export function lockRun(dir: string, runId: string): RunLock {
  try {
    const release = acquireLockFile(join(dir, "lock"));
    // A second Ctrl-C leaves with process.exit: the lock must not outlive us (a reused pid would hold it).
    const onExit = () => release();
    process.on("exit", onExit);
    return {
      release: () => {
        process.off("exit", onExit);
        release();
      },
    };
  } catch (error) {
    if (error instanceof LockBusy)
      throw new RunnerError(
        "RUN_BUSY",
        `run ${runId} is in use by ${error.holder} on ${hostname()}; wait for it to finish, or stop it first`,
      );
    throw error;
  }
}

/** Whether a live process holds the run in `dir` right now (a lock left by a dead one does not count). */
export function isLive(dir: string): boolean {
  return lockHolder(join(dir, "lock")) !== undefined;
}

/**
 * Whether a run's journal begins with a complete `run-started`. A process
 * killed between taking the lock and writing that line ran nothing; its run id
 * is free to start again (under the lock, which is then taken over).
 */
export function runStarted(dir: string): boolean {
  const bytes = journalBytes(join(dir, JOURNAL_FILE));
  if (bytes === undefined) return false;
  const newline = bytes.indexOf(0x0a);
  if (newline < 0) return false;
  try {
    // Only the first line is decoded: a resumed run's journal may hold megabytes after it.
    return (JSON.parse(bytes.toString("utf8", 0, newline)) as { t?: string }).t === "run-started";
  } catch {
    return false;
  }
}
