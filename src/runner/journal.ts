/**
 * The run journal: `.planfile/runs/<run-id>/journal.ndjson`, append-only, one
 * JSON line per transition. Every line is written with one write(2) as soon as
 * it happens, so it survives a killed process; fdatasync makes lines survive
 * the machine, and is awaited before any effect that depends on them (see
 * `durability` in RunOptions). A torn last line after a crash is ignored.
 */
import {
  closeSync,
  fdatasync,
  fdatasyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  truncateSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import type { Plan } from "../schema/types.generated.js";
import type { DriftItem } from "./staleness.js";
import type { ErrorInfo } from "./events.js";
import type { RunResult } from "./types.js";

const fdatasyncAsync = promisify(fdatasync);
let syncs = 0;
const datasync = (fd: number) => {
  syncs++;
  return fdatasyncAsync(fd);
};

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
      via: "flag" | "prompt";
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

/** Test hook for the crash tests: SIGKILL this process right after writing line N of a journal. */
const KILL_AT = Number(process.env.PLANFILE_TEST_KILL_AT_LINE ?? 0);

export interface JournalWriter {
  readonly dir: string | undefined;
  append(entry: JournalEntry): void;
  /** Resolves once every line appended so far is on disk. */
  sync(): Promise<void>;
  close(): void;
}

export class Journal implements JournalWriter {
  private fd: number;
  private written = 0;
  private synced = 0;
  private syncing: Promise<void> | undefined;
  private lines = 0;

  constructor(
    readonly dir: string,
    private readonly always = false,
  ) {
    mkdirSync(dir, { recursive: true });
    const file = join(dir, JOURNAL_FILE);
    this.lines = dropTornLine(file);
    this.fd = openSync(file, "a");
  }

  append(entry: JournalEntry): void {
    writeSync(this.fd, `${JSON.stringify(entry)}\n`);
    this.written++;
    this.lines++;
    if (this.always) {
      fdatasyncSync(this.fd);
      syncs++;
      this.synced = this.written;
    }
    if (KILL_AT > 0 && this.lines === KILL_AT) process.kill(process.pid, "SIGKILL");
  }

  async sync(): Promise<void> {
    const target = this.written;
    while (this.synced < target) {
      if (!this.syncing) {
        const upto = this.written;
        this.syncing = datasync(this.fd).then(() => {
          this.synced = Math.max(this.synced, upto);
          this.syncing = undefined;
        });
      }
      await this.syncing;
    }
  }

  close(): void {
    fdatasyncSync(this.fd);
    syncs++;
    closeSync(this.fd);
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

/** Cuts a torn last line (a crash mid-write) so the next append starts a clean line; returns the lines kept. */
function dropTornLine(file: string): number {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return 0;
  }
  const end = text.lastIndexOf("\n") + 1;
  if (end < text.length) truncateSync(file, Buffer.byteLength(text.slice(0, end)));
  return text.slice(0, end).split("\n").filter(Boolean).length;
}
