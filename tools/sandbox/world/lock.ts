/**
 * Two processes may write one world (two runs against the default sandbox):
 * each load → change → save happens under `world.json.lock`, which holds the
 * owner's pid and is taken over when that process is gone. Synchronous, like
 * the rest of the store, so a tool call stays within one tick.
 */
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { ToolError } from "../../../src/registry/tool-error.js";

const WAIT_MS = 10_000;
const pause = new Int32Array(new SharedArrayBuffer(4));
/** Locks this process holds: taking one again (a write that creates the world first) just runs. */
const held = new Set<string>();

export function withFileLock<T>(target: string, body: () => T): T {
  const lock = `${target}.lock`;
  if (held.has(lock)) return body();
  mkdirSync(dirname(lock), { recursive: true });
  const deadline = performance.now() + WAIT_MS;
  for (;;) {
    try {
      const fd = openSync(lock, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const owner = Number(readFileSync(lock, { encoding: "utf8", flag: "r" }) || 0);
      if (owner > 0 && !alive(owner)) {
        rmSync(lock, { force: true }); // left by a process that died mid-write
        continue;
      }
      if (performance.now() > deadline) {
        throw new ToolError("TRANSIENT", `the sandbox world is locked by process ${owner} for over ${WAIT_MS / 1000} s; retry, or remove ${lock} if that process is stuck`, { transient: true });
      }
      Atomics.wait(pause, 0, 0, 2);
    }
  }
  held.add(lock);
  try {
    return body();
  } finally {
    held.delete(lock);
    rmSync(lock, { force: true });
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
