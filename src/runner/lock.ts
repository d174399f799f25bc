/**
 * One process acts on a run at a time: two `--resume`s (or a resume and a
 * rollback) of the same run would both call tools.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { acquireLockFile, LockBusy } from "../lock-file.js";
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
        `run ${runId} is in use by ${error.holder}; wait for it to finish, or stop it first`,
      );
    throw error;
  }
}

/**
 * Whether a live process holds the run in `dir` right now (`runs` shows it as
 * running, not interrupted). A lock left by a dead process does not count.
 */
export function isLive(dir: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(join(dir, "lock"), "utf8"));
  } catch {
    return false;
  }
  if (!Number.isInteger(pid) || pid <= 0) return false; // empty: an owner between create and write, or one that died there
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
