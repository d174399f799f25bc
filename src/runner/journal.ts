/**
 * The run journal: `.planfile/runs/<run-id>/journal.ndjson`, append-only, one
 * JSON line per transition. Every line is written with one write(2) as soon as
 * it happens, so it survives a killed process; fdatasync makes lines survive
 * the machine, and is awaited before any effect that depends on them (see
 * `durability` in RunOptions). A torn last line after a crash is ignored.
 *
 * Syncs are group commits (see docs/decisions/0185-group-commit.md): `sync()`
 * asks for every line written so far to be made durable, and all the asks
 * of one turn of the event loop share one fdatasync, run off the event loop
 * by libuv's pool. Asks made while an fdatasync is under way share the next
 * one. Nothing here ever blocks the event loop on the disk.
 */
import {
  closeSync,
  existsSync,
  fdatasync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  truncateSync,
  writeSync,
  writevSync,
} from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import type { Plan } from "../schema/types.generated.js";
import type { DriftItem } from "./staleness.js";
import type { ErrorInfo } from "./events.js";
import type { RunResult } from "./types.js";
import { beforeSync, onLine, openJournals } from "./test-hooks.js";

const datasync = promisify(fdatasync);
let syncs = 0;

/** fdatasync calls this process made on journals so far: the bench divides it by the steps run. */
export function journalSyncs(): number {
  return syncs;
}

export type JournalEntry =
  | { t: "run-started"; at: string; runId: string; digest: string; plan: Plan; planFile?: string; dryRun: boolean }
  | { t: "resumed"; at: string; digest: string }
  | { t: "drift-checked"; at: string; diffs: DriftItem[]; allowed: boolean }
  | {
      t: "approved";
      at: string;
      steps: string[];
      by: string;
      digest: string;
      /** `command`: `planfile approve`, from any machine, while no process held the run. */
      via: "flag" | "prompt" | "command";
      /** Asked just before the step ran (`--confirm step`), with these resolved (redacted) arguments. */
      atStep?: boolean;
      args?: unknown;
    }
  | { t: "rejected"; at: string; steps: string[]; by: string; digest: string }
  | {
      t: "step-intent";
      at: string;
      step: string;
      tool: string;
      attempt: number;
      key: string;
      args: unknown;
      dryRun: boolean;
    }
  | { t: "step-result"; at: string; step: string; status: "completed"; output: unknown; durationMs: number }
  | {
      t: "step-result";
      at: string;
      step: string;
      status: "failed";
      error: ErrorInfo;
      durationMs: number;
      attempt: number;
      output?: unknown;
    }
  | { t: "rollback-started"; at: string; reason: string; steps: string[] }
  | { t: "compensation-intent"; at: string; step: string; tool: string; attempt: number; args: unknown }
  | { t: "compensation-result"; at: string; step: string; status: "completed"; output: unknown }
  | { t: "compensation-result"; at: string; step: string; status: "failed"; error: ErrorInfo }
  | {
      t: "outcome-resolved";
      at: string;
      step: string;
      /** Whose call's outcome was unknown: the step's own, or its compensation's. */
      of: "step" | "compensation";
      happened: boolean;
      /** The operator undid it by hand: nothing is left to undo. */
      undone?: boolean;
      by: OutcomeSource;
      who?: string;
    }
  | { t: "run-finished"; at: string; status: RunResult["status"]; summary: unknown };

/** Who settled an unknown outcome: the tool's verify probe, the operator, or the step being read-only. */
export type OutcomeSource = "probe" | "operator" | "read-only";

export const JOURNAL_FILE = "journal.ndjson";

/**
 * The run's first line, with the plan given as its canonical JSON text (made
 * once for the digest) rather than serialized again. Key order means nothing
 * to the readers: the plan goes last.
 */
export function runStartedLine(
  entry: Extract<JournalEntry, { t: "run-started" }>,
  planJson: readonly Buffer[],
): Buffer[] {
  const head = JSON.stringify({ ...entry, plan: undefined });
  return [Buffer.from(`${head.slice(0, -1)},"plan":`, "utf8"), ...planJson, Buffer.from("}")];
}

/** A journal line already written as JSON: text, or its UTF-8 pieces. */
export type JournalLine = string | readonly Buffer[];

/** A line as one string (a store that sends it as a query parameter). */
export function lineText(line: JournalLine): string {
  return typeof line === "string" ? line : Buffer.concat(line).toString("utf8");
}

const NEWLINE = Buffer.from("\n");

export interface JournalWriter {
  readonly dir: string | undefined;
  /** `line`: the entry already written as JSON, when the caller has it (see `runStartedLine`). */
  append(entry: JournalEntry, line?: JournalLine): void;
  /**
   * Resolves once every line appended so far is on disk. `last`: the caller appends nothing more this turn
   * (the run's end), so the sync need not wait for the rest of the turn's lines.
   */
  sync(options?: { last?: boolean }): Promise<void>;
  /** Makes every line durable, then lets go of the file. May return a promise (the file journal does). */
  close(): void | Promise<void>;
}

interface Batch {
  /** Lines and bytes this batch makes durable; known when it starts. */
  lines: number;
  bytes: number;
  promise: Promise<void>;
}

export class Journal implements JournalWriter {
  private fd: number;
  private lines = 0;
  private bytes = 0;
  private syncedLines = 0;
  private syncedBytes = 0;
  /** The fdatasync under way, and the one waiting for it to end (it takes every ask made meanwhile). */
  private running: Batch | undefined;
  private waiting: Batch | undefined;
  private closed = false;
  /**
   * A failed fdatasync poisons the journal: Linux may drop the dirty pages it could not write and report the
   * error only once, so a later sync that succeeds would not mean the lines are on disk.
   */
  private failed: Error | undefined;

  constructor(
    readonly dir: string,
    /** `durability: always`: every line asks for a sync as it is written (still grouped, still off the loop). */
    private readonly always = false,
  ) {
    mkdirSync(dir, { recursive: true });
    const file = join(dir, JOURNAL_FILE);
    const kept = dropTornLine(file);
    this.lines = this.syncedLines = kept.lines;
    this.bytes = this.syncedBytes = kept.bytes;
    this.fd = openSync(file, "a");
    openJournals.add(this);
  }

  /** Lines written and made durable so far (for the power-cut test hook and the bench). */
  get file(): { path: string; bytes: number; syncedBytes: number } {
    return { path: join(this.dir, JOURNAL_FILE), bytes: this.bytes, syncedBytes: this.syncedBytes };
  }

  append(entry: JournalEntry, line: JournalLine = JSON.stringify(entry)): void {
    // Pieces go out in one writev(2), as a string in one write(2): a killed process leaves no half line.
    this.bytes += typeof line === "string" ? writeSync(this.fd, `${line}\n`) : writevSync(this.fd, [...line, NEWLINE]);
    this.lines++;
    onLine(this.lines);
    // Nobody waits on this one; the next sync someone awaits (the run's end at the latest) reports a failure.
    if (this.always) this.sync().catch(() => {});
  }

  sync(options?: { last?: boolean }): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    if (this.syncedLines >= this.lines) return Promise.resolve();
    if (this.running && this.running.lines >= this.lines) return this.running.promise;
    if (!this.waiting) {
      const batch: Batch = { lines: 0, bytes: 0, promise: Promise.resolve() };
      batch.promise = new Promise<void>((resolve, reject) => {
        const start = () => {
          if (this.failed) return reject(this.failed);
          batch.lines = this.lines;
          batch.bytes = this.bytes;
          this.running = batch;
          this.waiting = undefined;
          beforeSync(++syncs);
          datasync(this.fd).then(
            () => {
              this.syncedLines = Math.max(this.syncedLines, batch.lines);
              this.syncedBytes = Math.max(this.syncedBytes, batch.bytes);
              this.running = undefined;
              resolve();
            },
            (error: Error) => {
              this.failed = new Error(`the journal in ${this.dir} could not be made durable: ${error.message}`, {
                cause: error,
              });
              this.running = undefined;
              reject(this.failed);
            },
          );
        };
        // Wait for the fdatasync under way, or for the rest of this turn's lines and asks.
        if (this.running) this.running.promise.then(start, start);
        else if (options?.last) start();
        else setImmediate(start);
      });
      this.waiting = batch;
    }
    return this.waiting.promise;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.sync();
    } finally {
      openJournals.delete(this);
      // Synchronous: closing a file whose lines are synced is a few microseconds, a trip through libuv's pool
      // more, and the run's report waits on it.
      closeSync(this.fd);
    }
  }
}

/** A journal that keeps nothing: dry runs leave no run behind. */
export class NullJournal implements JournalWriter {
  readonly dir = undefined;
  append(): void {}
  async sync(): Promise<void> {}
  close(): void {}
}

/** Reads a journal, tolerating a torn (unterminated or unparsable) last line. Anything else broken is an error. */
export function readJournal(dir: string): JournalEntry[] {
  const text = readFileSync(join(dir, JOURNAL_FILE), "utf8");
  const lines = text.split("\n");
  const entries: JournalEntry[] = [];
  lines.forEach((line, i) => {
    if (line === "") return;
    try {
      entries.push(JSON.parse(line) as JournalEntry);
    } catch (cause) {
      const last = i === lines.length - 1 || (i === lines.length - 2 && lines.at(-1) === "");
      if (!last) throw new Error(`${join(dir, JOURNAL_FILE)}:${i + 1}: corrupt journal line`, { cause });
    }
  });
  return entries;
}

/** Run ids under `runsDir`, oldest first (ids sort by time). */
export function listRunIds(runsDir: string): string[] {
  try {
    return readdirSync(runsDir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
  } catch {
    return [];
  }
}

/** A journal file's bytes; undefined when there is none (a new run's) or it cannot be read. */
export function journalBytes(file: string): Buffer | undefined {
  // A new run's journal is not there yet: asked first, as a failed read's error costs several times more.
  if (!existsSync(file)) return undefined;
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

/** Cuts a torn last line (a crash mid-write) so the next append starts a clean line; returns the lines and bytes kept. */
function dropTornLine(file: string): { lines: number; bytes: number } {
  const text = journalBytes(file);
  if (text === undefined) return { lines: 0, bytes: 0 };
  const end = text.lastIndexOf(0x0a) + 1;
  if (end < text.length) truncateSync(file, end);
  let lines = 0;
  for (let i = text.indexOf(0x0a); i >= 0 && i < end; i = text.indexOf(0x0a, i + 1)) lines++;
  return { lines, bytes: end };
}
