/** The default store: today's files under `<state-dir>/runs/<run-id>/` (journal.ndjson, lock), wrapped as they are. */
import { existsSync } from "node:fs";
import { hostname } from "node:os";
import { Journal, listRunIds, readJournal } from "../runner/journal.js";
import { lockRun, runStarted } from "../runner/lock.js";
import { runHolder } from "../runner/runs-view.js";
import { readRunJournal, runDir } from "../runner/state.js";
import type { Holder, RunLock, RunPresence, RunStore, StoredRun } from "./types.js";

export class FileRunStore implements RunStore {
  readonly shared = false;
  readonly keepsUnsyncedLines = true;
  constructor(readonly runsDir: string) {}

  get where(): string {
    return this.runsDir;
  }

  async presence(runId: string): Promise<RunPresence> {
    const dir = runDir(this.runsDir, runId);
    if (runStarted(dir)) return "started";
    return existsSync(dir) ? "empty" : "absent";
  }

  async read(runId: string) {
    return readRunJournal(this.runsDir, runId);
  }

  async list(): Promise<StoredRun[]> {
    return fileRuns(this.runsDir);
  }

  async holder(runId: string): Promise<Holder | undefined> {
    const pid = runHolder(this.runsDir, runId);
    return pid === undefined ? undefined : { host: hostname(), pid };
  }

  async lock(runId: string): Promise<RunLock> {
    const dir = runDir(this.runsDir, runId);
    const held = lockRun(dir, runId);
    return {
      journal: (options) => new Journal(dir, options?.always ?? false),
      release: async () => held.release(),
    };
  }

  async close(): Promise<void> {}
}

/** The runs under `runsDir`, oldest first, read synchronously (the file store needs no await). */
export function fileRuns(runsDir: string): StoredRun[] {
  return listRunIds(runsDir).map((runId) => {
    const pid = runHolder(runsDir, runId);
    const holder = pid === undefined ? undefined : { host: hostname(), pid };
    try {
      return { runId, entries: readJournal(runDir(runsDir, runId)), holder };
    } catch (error) {
      return { runId, entries: [], unreadable: (error as Error).message, holder };
    }
  });
}
