/**
 * Two processes may write one world (two runs against the default sandbox):
 * each load → change → save happens under `world.json.lock`.
 */
import { acquireLockFile, LockBusy } from "../../../src/lock-file.js";
import { ToolError } from "../../../src/registry/tool-error.js";

/** How long a write waits for another process's lock; tests shorten it. */
const waitMs = (): number => Number(process.env.PLANFILE_SANDBOX_LOCK_WAIT_MS) || 10_000;
/** Locks this process holds: taking one again (a write that creates the world first) just runs. */
const held = new Set<string>();

export function withFileLock<T>(target: string, body: () => T, wait = waitMs()): T {
  const lock = `${target}.lock`;
  if (held.has(lock)) return body();
  let release: () => void;
  try {
    release = acquireLockFile(lock, wait);
  } catch (error) {
    if (!(error instanceof LockBusy)) throw error;
    throw new ToolError(
      "TRANSIENT",
      `the sandbox world is locked by ${error.holder} for over ${wait / 1000} s; retry, or remove ${lock} if that process is stuck`,
      { transient: true },
    );
  }
  held.add(lock);
  try {
    return body();
  } finally {
    held.delete(lock);
    release();
  }
}
