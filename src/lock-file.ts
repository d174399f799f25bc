/**
 * A lock file holding its owner's pid, for state that several processes may
 * touch (a run's journal, the sandbox world). A lock whose owner is gone (a
 * crash, SIGKILL) is taken over. Synchronous, so callers that must finish a
 * change within one tick (the sandbox) can use it.
 */
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeSync } from "node:fs";
import { dirname } from "node:path";

/** Another live process holds the lock. */
export class LockBusy extends Error {
  constructor(readonly owner: number) {
    super(`held by ${owner > 0 ? `process ${owner}` : "another process"}`);
    this.name = "LockBusy";
  }
  /** Who holds it, for messages. */
  get holder(): string {
    return this.owner > 0 ? `process ${this.owner}` : "another process";
  }
}

const pause = new Int32Array(new SharedArrayBuffer(4));

/** Takes `file`, waiting up to `waitMs` for a live owner to let go; returns the release. */
export function acquireLockFile(file: string, waitMs = 0): () => void {
  mkdirSync(dirname(file), { recursive: true });
  const deadline = performance.now() + waitMs;
  for (;;) {
    try {
      const fd = openSync(file, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const owner = ownerOf(file);
    if (owner === undefined) continue; // released between our open and our read
    if (owner.pid === process.pid || owner.abandoned) {
      rmSync(file, { force: true }); // left by a process that died (or by an earlier run of ours)
      continue;
    }
    if (performance.now() >= deadline) throw new LockBusy(owner.pid);
    Atomics.wait(pause, 0, 0, 2);
  }
}

/** The pid of the live process holding `file` (0 when it has not written its pid yet), or undefined when it is free or abandoned. */
export function lockHolder(file: string): number | undefined {
  const owner = ownerOf(file);
  return owner && !owner.abandoned ? owner.pid : undefined;
}

/** How long a lock file may stay empty: its owner writes its pid right after creating it. */
const EMPTY_GRACE_MS = 1000;

function ownerOf(file: string): { pid: number; abandoned: boolean } | undefined {
  try {
    const pid = Number(readFileSync(file, "utf8")) || 0;
    // Empty: the owner is between creating the file and writing its pid — unless it died right there.
    if (pid === 0) return { pid, abandoned: Date.now() - statSync(file).mtimeMs > EMPTY_GRACE_MS };
    return { pid, abandoned: !alive(pid) };
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
