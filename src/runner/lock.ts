/**
 * One process acts on a run at a time: two `--resume`s (or a resume and a
 * rollback) of the same run would both call tools.
 */
import { join } from "node:path";
import { acquireLockFile, LockBusy } from "../lock-file.js";
import { RunnerError } from "./runner-error.js";

export interface RunLock {
  release(): void;
}

export function lockRun(dir: string, runId: string): RunLock {
  try {
    return { release: acquireLockFile(join(dir, "lock")) };
  } catch (error) {
    if (error instanceof LockBusy)
      throw new RunnerError(
        "RUN_BUSY",
        `run ${runId} is in use by ${error.holder}; wait for it to finish, or stop it first`,
      );
    throw error;
  }
}
