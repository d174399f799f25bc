/**
 * Where runs live: their journals, who owns each one right now, and the list
 * of them. The runner asks a RunStore and never knows which one it has: the
 * files under `.planfile/runs/` (one machine), or PostgreSQL (every machine
 * that can reach it). Approvals are journal entries, so they live where the
 * journal does.
 */
import type { JournalEntry, JournalWriter } from "../runner/journal.js";

/** The process acting on a run. */
export interface Holder {
  host: string;
  pid: number;
}

/**
 * What a store knows of a run id: nothing; a record whose journal never got
 * its `run-started` (a process killed right there ran nothing, so the id may
 * start afresh); or a started run.
 */
export type RunPresence = "absent" | "empty" | "started";

/** One run as the list shows it: its journal (or why it cannot be read), and its live owner if any. */
export interface StoredRun {
  runId: string;
  /** Empty for a run queued but not started yet, or one whose journal cannot be read (`unreadable`). */
  entries: JournalEntry[];
  unreadable?: string;
  /** What the store says when there is no journal to tell (`queued`), and the plan's name. */
  status?: string;
  plan?: string;
  holder?: Holder;
  /** The machine that last worked on it (stores shared by machines only). */
  host?: string;
}

/** The right to act on a run, held until released or until the holder dies. */
export interface RunLock {
  /** The run's journal, appended under this lock. `always`: every line durable before append returns' next sync. */
  journal(options?: { always?: boolean }): JournalWriter;
  release(): Promise<void>;
}

export interface RunStore {
  /** Which store, for messages: a folder, or a server without its password. */
  readonly where: string;
  /** Shared by machines: runs show their host. */
  readonly shared: boolean;
  /**
   * Whether a line appended but not yet synced survives a killed process. A file line does (it is in the page
   * cache); a PostgreSQL line not yet committed does not, so on such a store every intent is committed before
   * its call, idempotent or not.
   */
  readonly keepsUnsyncedLines: boolean;
  presence(runId: string): Promise<RunPresence>;
  /** The run's journal; RUN_NOT_FOUND naming how to list runs. */
  read(runId: string): Promise<JournalEntry[]>;
  list(): Promise<StoredRun[]>;
  /** The live process acting on the run, if any. */
  holder(runId: string): Promise<Holder | undefined>;
  /** Takes the run; RUN_BUSY naming the owner's host and pid when another live process has it. */
  lock(runId: string): Promise<RunLock>;
  close(): Promise<void>;
}
