/**
 * A run's journal in PostgreSQL, written on the connection that holds the
 * run's advisory lock, so a process that lost its lock (its session died)
 * cannot write another line. `append` buffers; lines appended in the same
 * tick go out as one INSERT, committed with synchronous_commit on; `sync`
 * resolves once every line appended before it is committed. The runner
 * awaits `sync` before every non-idempotent call and at the end, which gives
 * the file journal's guarantee: the intent is durable before the call, the
 * result before anything that depends on it.
 */
import type pg from "pg";
import { lineText, type JournalEntry, type JournalLine, type JournalWriter } from "../../runner/journal.js";
import type { Holder } from "../types.js";
import { StoreError } from "../store-error.js";
import { commitThenDie } from "./kill-hook.js";

/** Test hook, as in the file journal: SIGKILL this process right after line N of a journal is committed. */
const KILL_AT = Number(process.env.PLANFILE_TEST_KILL_AT_LINE ?? 0);

interface Line {
  entry: JournalEntry;
  line: string;
}

export class PgJournal implements JournalWriter {
  readonly dir = undefined;
  /** Each line is written as JSON when appended, as the file journal does: what is buffered cannot change. */
  private buffer: Line[] = [];
  /** The batch being written, for the kill hook. */
  private inFlight: Line[] = [];
  private appended = 0;
  private committed = 0;
  private flushing: Promise<void> | undefined;
  private failure: Error | undefined;

  constructor(
    private readonly client: pg.ClientBase,
    private readonly table: { journal: string; runs: string },
    private readonly runId: string,
    /** Lines already in the journal (a resumed run). */
    private seq: number,
    private readonly holder: Holder,
    private readonly url: string,
  ) {}

  append(entry: JournalEntry, line?: JournalLine): void {
    this.buffer.push({ entry, line: line === undefined ? JSON.stringify(entry) : lineText(line) });
    this.appended++;
    if (KILL_AT > 0 && this.seq + this.appended - this.committed === KILL_AT) this.die();
    this.flushing ??= this.flush();
  }

  private die(): never {
    const pending = [...this.inFlight, ...this.buffer];
    const first = this.seq + 1;
    return commitThenDie({
      url: this.url,
      runs: this.table.runs,
      journal: this.table.journal,
      runId: this.runId,
      rows: pending.map((e, i) => [first + i, e.line]),
      host: this.holder.host,
      pid: this.holder.pid,
    });
  }

  async sync(): Promise<void> {
    const target = this.appended;
    while (this.committed < target && !this.failure) {
      this.flushing ??= this.flush();
      await this.flushing;
    }
    if (this.failure)
      throw new StoreError(
        `run ${this.runId}: the journal could not be written to the store: ${this.failure.message}`,
        {
          cause: this.failure,
        },
      );
  }

  /** Commits what is left; the connection stays with the lock, which ends it. */
  async close(): Promise<void> {
    await this.sync();
  }

  /** Resolves when everything appended so far is committed, or has failed. */
  async drain(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private async flush(): Promise<void> {
    // Let the lines of this tick join the batch.
    await new Promise((resolve) => setImmediate(resolve));
    try {
      while (this.buffer.length > 0 && !this.failure) {
        const batch = this.buffer;
        this.buffer = [];
        this.inFlight = batch;
        await this.write(batch);
        this.inFlight = [];
        this.seq += batch.length;
        this.committed += batch.length;
      }
    } catch (error) {
      this.failure = error as Error;
    } finally {
      this.flushing = undefined;
    }
  }

  private async write(batch: Line[]): Promise<void> {
    const started = batch.find((e) => e.entry.t === "run-started")?.entry;
    let status: string | null = null;
    for (const { entry: e } of batch) {
      if (e.t === "run-finished") status = e.status;
      else if (e.t === "run-started" || e.t === "resumed") status = "running";
    }
    // One statement, so one commit: the lines and the run's row move together.
    await this.client.query(
      `with lines as (
         insert into ${this.table.journal} (run_id, seq, entry)
         select $1, $2::int + o::int, e::jsonb from unnest($3::text[]) with ordinality as x(e, o)
       )
       insert into ${this.table.runs} as r (run_id, plan_name, digest, host, pid, status)
       values ($1, $4, $5, $6, $7, coalesce($8::text, 'running'))
       on conflict (run_id) do update set
         plan_name = coalesce(excluded.plan_name, r.plan_name),
         digest = coalesce(excluded.digest, r.digest),
         host = excluded.host, pid = excluded.pid,
         status = coalesce($8::text, r.status),
         updated_at = now()`,
      [
        this.runId,
        this.seq,
        batch.map((e) => e.line),
        started?.t === "run-started" ? started.plan.metadata.name : null,
        started?.t === "run-started" ? started.digest : null,
        this.holder.host,
        this.holder.pid,
        status,
      ],
    );
  }
}
