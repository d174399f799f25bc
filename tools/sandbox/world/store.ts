/**
 * The world file `<stateDir>/sandbox/world.json`, cached in memory per path.
 *
 * - Writes are atomic (temp file, fsync, rename) and durable before a write
 *   tool returns: the runner's crash recovery trusts that.
 * - Reads only append to the call log, so they mark the cache dirty and flush
 *   on the next turn of the event loop (or at exit) without fsync.
 * - Another process (the runner, a SIGKILLed child) may rewrite the file, so
 *   every access compares inode, size and mtime with the cached copy; rename
 *   always makes a new inode, so a same-size rewrite is still seen.
 * All I/O is synchronous on purpose: a tool call loads, changes and saves the
 * world within one tick, so concurrent calls in one process never interleave;
 * across processes, writes hold a lock file (lock.ts).
 */
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { dirname, join, resolve } from "node:path";
import { SandboxError } from "./errors.js";
import { withFileLock } from "./lock.js";
import { DEFAULT_FIXTURE, worldFromFixture } from "./fixtures.js";
import type { World } from "./types.js";

interface Cached {
  world: World;
  stamp: string;
  /** Calls up to this index are on disk; later ones are pending read-log entries. */
  synced: number;
  flushScheduled: boolean;
}

const cache = new Map<string, Cached>();
let exitHookInstalled = false;

export function worldPath(stateDir: string): string {
  return join(resolve(stateDir), "sandbox", "world.json");
}

/** The live cached world (do not hand it out: callers get copies). Creates it from a fixture on first use. */
export function loadWorld(stateDir: string): World {
  const path = worldPath(stateDir);
  const stat = statSync(path, { throwIfNoEntry: false });
  const cached = cache.get(path);
  if (!stat) {
    return withFileLock(path, () => {
      // Another process may have created it while we waited.
      if (statSync(path, { throwIfNoEntry: false })) return loadWorld(stateDir);
      const world = worldFromFixture(process.env.PLANFILE_SANDBOX_FIXTURE || DEFAULT_FIXTURE);
      saveWorld(stateDir, world, { durable: true });
      return world;
    });
  }
  const stamp = stampOf(stat);
  if (cached && cached.stamp === stamp) return cached.world;
  const world = readWorldFile(path);
  // Someone else wrote the file while we held unflushed read-log entries: keep them, after theirs.
  const pending = cached ? cached.world.calls.slice(cached.synced) : [];
  const onDisk = world.calls.length;
  let seq = world.calls.at(-1)?.seq ?? 0;
  for (const call of pending) world.calls.push({ ...call, seq: ++seq });
  cache.set(path, { world, stamp, synced: onDisk, flushScheduled: cached?.flushScheduled ?? false });
  return world;
}

export function saveWorld(
  stateDir: string,
  world: World,
  { durable, inPlace = false }: { durable: boolean; inPlace?: boolean },
): void {
  const path = worldPath(stateDir);
  mkdirSync(dirname(path), { recursive: true });
  // A scratch copy has one writer and no reader to tear. Replacing a file by rename or by
  // truncation makes ext4 flush it (auto_da_alloc); a new file in its place does not.
  if (inPlace) {
    unlinkSync(path);
    writeFileSync(path, JSON.stringify(world));
  } else writeAtomically(path, world, durable);
  const previous = cache.get(path);
  cache.set(path, {
    world,
    stamp: stampOf(statSync(path)),
    synced: world.calls.length,
    flushScheduled: previous?.flushScheduled ?? false,
  });
}

function writeAtomically(path: string, world: World, durable: boolean): void {
  const temp = `${path}.${process.pid}.tmp`;
  const fd = openSync(temp, "w");
  try {
    writeSync(fd, JSON.stringify(world));
    if (durable) fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
  if (durable) fsyncDir(dirname(path));
}

/** Records that the cached world gained read-log entries; they reach the disk soon, without fsync. */
export function markRead(stateDir: string): void {
  const path = worldPath(stateDir);
  const cached = cache.get(path);
  if (!cached || cached.flushScheduled) return;
  cached.flushScheduled = true;
  installExitHook();
  setImmediate(() => flushSoon(stateDir)).unref();
}

/**
 * The deferred flush runs in a timer, where a throw would kill the process
 * with nothing journaled: if another process holds the world, the entries
 * stay pending and go out with the next write, or at exit.
 */
function flushSoon(stateDir: string): void {
  try {
    flushWorld(stateDir);
  } catch {
    const cached = cache.get(worldPath(stateDir));
    if (cached) cached.flushScheduled = false;
  }
}

/** Writes pending read-log entries now, merged with whatever another process wrote meanwhile. */
export function flushWorld(stateDir: string): void {
  const path = worldPath(stateDir);
  const cached = cache.get(path);
  if (!cached) return;
  cached.flushScheduled = false;
  if (cached.synced >= cached.world.calls.length) return;
  withFileLock(path, () => saveWorld(stateDir, loadWorld(stateDir), { durable: false }));
}

/** Runs a load → change → save of the world with no other process writing it meanwhile. */
export function exclusively<T>(stateDir: string, body: () => T): T {
  return withFileLock(worldPath(stateDir), body);
}

/** Drops the in-memory copy, e.g. before a reset overwrites the file. */
export function forgetWorld(stateDir: string): void {
  cache.delete(worldPath(stateDir));
}

function readWorldFile(path: string): World {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as World;
  } catch (cause) {
    throw new SandboxError(
      "WORLD_UNREADABLE",
      `${path}: ${(cause as Error).message}; run \`tsx src/sandbox.ts reset\` to start over`,
      { cause },
    );
  }
}

function stampOf(stat: { ino: number; size: number; mtimeMs: number }): string {
  return `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
}

function fsyncDir(dir: string): void {
  // Makes the rename itself durable; some platforms refuse to open a directory, which is fine to skip.
  try {
    const fd = openSync(dir, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    /* best effort */
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once("exit", () => {
    for (const [path, cached] of cache) {
      if (cached.synced >= cached.world.calls.length) continue;
      const stateDir = dirname(dirname(path));
      try {
        // Merged under the lock like any flush; a world still held elsewhere loses only these read-log entries.
        withFileLock(path, () => saveWorld(stateDir, loadWorld(stateDir), { durable: false }), 1000);
      } catch {
        /* exiting: nothing left to report it to */
      }
    }
  });
}
