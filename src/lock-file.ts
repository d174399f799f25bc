/**
 * A lock file naming its owner, for state that several processes may touch
 * (a run's journal, the sandbox world). A lock whose owner is gone (a crash,
 * SIGKILL, a pid since reused by another program) is taken over. Synchronous,
 * so callers that must finish a change within one tick (the sandbox) can use it.
 *
 * The file holds `<pid> <start> <nonce>`: the pid, the process's start time
 * as the kernel counts it (so a reused pid is told apart), and a nonce unique
 * to this acquisition. It is written under a private name and hard-linked
 * into place, so it never exists empty. Taking over a stale lock is itself
 * guarded by a lock named after the stale one's identity: of every process
 * that saw the same stale lock, only the one holding that guard may remove
 * it, and only after checking it is still the same lock
 * (docs/decisions/0161-lock-takeover.md).
 */
import { randomBytes } from "node:crypto";
import { closeSync, linkSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { pidExists, processStart } from "./process-start.js";

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
    const mine = tryCreate(file);
    if (mine) return () => releaseIfOurs(file, mine);
    const owner = ownerOf(file);
    if (owner === undefined) continue; // released between our attempt and our read
    if (owner.abandoned && takeOver(file, owner)) continue;
    if (performance.now() >= deadline) throw new LockBusy(owner.pid);
    Atomics.wait(pause, 0, 0, 2);
  }
}

// This process's start never changes: read once, not at every lock (a run takes one before its first step).
let ownStartTicks: number | undefined | null = null;
const ownStart = (): number | undefined =>
  ownStartTicks === null ? (ownStartTicks = processStart(process.pid)) : ownStartTicks;

/** Creates the lock with its content in one step; the content on success, undefined if it exists. */
function tryCreate(file: string): string | undefined {
  const content = `${process.pid} ${ownStart() ?? 0} ${randomBytes(8).toString("hex")}`;
  const temp = `${file}.${process.pid}.${content.slice(-16)}.tmp`;
  const fd = openSync(temp, "wx");
  try {
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(temp, file);
    return content;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST") return undefined;
    if (code === "EPERM" || code === "ENOTSUP" || code === "EOPNOTSUPP") return createExclusive(file, content);
    throw error;
  } finally {
    unlinkQuietly(temp);
  }
}

/** Removes a file of our own if it is there: unlink(2) alone, where `rmSync` asks lstat(2) first. */
function unlinkQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // Already gone: nothing to remove.
  }
}

/** For file systems without hard links: create-exclusive, then write (briefly empty; see EMPTY_GRACE_MS). */
function createExclusive(file: string, content: string): string | undefined {
  try {
    const fd = openSync(file, "wx");
    writeSync(fd, content);
    closeSync(fd);
    return content;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return undefined;
    throw error;
  }
}

function releaseIfOurs(file: string, content: string): void {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return; // already gone
  }
  if (text === content) unlinkQuietly(file);
}

interface Owner {
  pid: number;
  abandoned: boolean;
  /** What identifies this very lock: its content, and for content without a nonce its inode and mtime. */
  identity: string;
}

/**
 * Removes a stale lock, once: under a guard lock named after it, and only if
 * the file still is that lock. True if the caller should try to create again.
 */
function takeOver(file: string, stale: Owner): boolean {
  const guard = `${file}.takeover-${stale.identity}`;
  let releaseGuard: () => void;
  try {
    releaseGuard = acquireLockFile(guard, 0);
  } catch (error) {
    if (error instanceof LockBusy) return false; // another process is taking it over
    throw error;
  }
  try {
    if (ownerOf(file)?.identity === stale.identity) unlinkQuietly(file);
    return true;
  } finally {
    releaseGuard();
  }
}

/** How long a lock file may stay empty (only without hard links): its owner writes right after creating it. */
const EMPTY_GRACE_MS = 1000;
/** Slack between a lock's mtime and its owner's start time as /proc reports it (whole clock ticks, btime in s). */
const START_SLACK_MS = 2000;

function ownerOf(file: string): Owner | undefined {
  let raw: string;
  let stat: { ino: number; mtimeMs: number };
  try {
    raw = readFileSync(file, "utf8");
    stat = statSync(file);
  } catch {
    return undefined;
  }
  const [pidText, startText, nonce] = raw.trim().split(" ");
  const pid = Number(pidText) || 0;
  const identity = nonce?.replace(/[^0-9a-z-]/gi, "") || `${stat.ino}-${Math.round(stat.mtimeMs * 1000)}`;
  // Empty: the owner is between creating the file and writing its pid — unless it died right there.
  if (pid === 0) return { pid, identity, abandoned: Date.now() - stat.mtimeMs > EMPTY_GRACE_MS };
  if (pid === process.pid) return { pid, identity, abandoned: true }; // left by an earlier run of ours
  return { pid, identity, abandoned: !alive(pid, Number(startText) || undefined, stat.mtimeMs) };
}

/** Is the lock's owner still running: the pid exists and is the same process, not a reuse of its number? */
function alive(pid: number, start: number | undefined, lockedAtMs: number): boolean {
  if (!pidExists(pid)) return false;
  const now = processStart(pid);
  if (now === undefined) return true; // no /proc: trust the pid
  if (start !== undefined) return now === start;
  // A lock in the old format (pid only): a process started after the lock was written cannot own it.
  const startedAtMs = processStartedAtMs(now);
  return startedAtMs === undefined || startedAtMs <= lockedAtMs + START_SLACK_MS;
}

function processStartedAtMs(ticks: number): number | undefined {
  try {
    const btime = /^btime (\d+)$/m.exec(readFileSync("/proc/stat", "utf8"))?.[1];
    return btime ? Number(btime) * 1000 + ticks * 10 : undefined; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}

/** The pid of the live process holding `file` (0 when it has not written its pid yet), or undefined when it is free or abandoned. */
export function lockHolder(file: string): number | undefined {
  const owner = ownerOf(file);
  return owner && !owner.abandoned ? owner.pid : undefined;
}
