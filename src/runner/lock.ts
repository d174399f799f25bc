/**
 * One process acts on a run at a time: two `--resume`s (or a resume and a
 * rollback) of the same run would both call tools. The lock file holds the
 * owner's pid; a lock whose owner is gone (a crash, SIGKILL) is taken over.
 */
import { openSync, readFileSync, rmSync, writeSync, closeSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { RunnerError } from "./runner-error.js";

export interface RunLock {
  release(): void;
}

export function lockRun(dir: string, runId: string): RunLock {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "lock");
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return { release: () => rmSync(file, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const owner = Number(readFileSync(file, "utf8"));
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && alive(owner)) {
        throw new RunnerError("RUN_BUSY", `run ${runId} is in use by process ${owner}; wait for it to finish, or stop it first`);
      }
      rmSync(file, { force: true }); // left by a process that died
    }
  }
  throw new RunnerError("RUN_BUSY", `run ${runId}: could not take its lock (${file})`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
