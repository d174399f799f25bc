/**
 * Runs in PostgreSQL: every machine that reaches the server sees every run,
 * and one process at a time owns a run through a session-level advisory lock
 * held on a connection of its own, so the lock dies with its holder
 * (docs/decisions/0180-run-store.md).
 */
import { hostname } from "node:os";
import pg from "pg";
import { didYouMean } from "../../cli/did-you-mean.js";
import type { JournalEntry } from "../../runner/journal.js";
import { pidExists } from "../../process-start.js";
import { RunnerError } from "../../runner/runner-error.js";
import { StoreError } from "../store-error.js";
import type { Holder, RunLock, RunPresence, RunStore, StoredRun } from "../types.js";
import { PgJournal } from "./journal.js";
import { migrate, quoteIdent } from "./schema.js";

export interface PostgresStoreOptions {
  /** The schema holding the store's tables; default `planfile`. Tests use one each. */
  schema?: string;
}

export class PostgresRunStore implements RunStore {
  readonly shared = true;
  readonly keepsUnsyncedLines = false;
  readonly where: string;
  readonly schema: string;
  private readonly pool: pg.Pool;
  private ready: Promise<void> | undefined;

  constructor(
    readonly url: string,
    options: PostgresStoreOptions = {},
  ) {
    this.schema = options.schema ?? "planfile";
    this.where = redact(url);
    this.pool = new pg.Pool({ connectionString: url, max: 4, keepAlive: true });
    this.pool.on("error", () => {}); // an idle connection dropped: the next query reconnects
  }

  /** `schema.table`, quoted. */
  table(name: "runs" | "journal" | "owners"): string {
    return `${quoteIdent(this.schema)}.${name}`;
  }

  /** The pool, once the schema is there: every public method goes through it. */
  async db(): Promise<pg.Pool> {
    this.ready ??= this.connectAndMigrate();
    await this.ready;
    return this.pool;
  }

  private async connectAndMigrate(): Promise<void> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (cause) {
      this.ready = undefined;
      throw new StoreError(
        `cannot reach the run store ${this.where}: ${(cause as Error).message}; check PLANFILE_STORE_URL (or store.url in planfile.config.json) and that the server is up`,
        { cause },
      );
    }
    try {
      await migrate(client, this.schema);
    } finally {
      client.release();
    }
  }

  async presence(runId: string): Promise<RunPresence> {
    const db = await this.db();
    const { rows } = await db.query(
      `select exists (select 1 from ${this.table("journal")} where run_id = $1 and seq = 1 and entry->>'t' = 'run-started') as started,
              exists (select 1 from ${this.table("runs")} where run_id = $1) as known`,
      [runId],
    );
    return rows[0].started ? "started" : rows[0].known ? "empty" : "absent";
  }

  async read(runId: string): Promise<JournalEntry[]> {
    const db = await this.db();
    const { rows } = await db.query(`select entry from ${this.table("journal")} where run_id = $1 order by seq`, [
      runId,
    ]);
    if (rows.length > 0) return rows.map((r) => r.entry as JournalEntry);
    const queued = await db.query(`select status from ${this.table("runs")} where run_id = $1`, [runId]);
    if (queued.rows.length > 0)
      throw new RunnerError("RUN_NOT_FOUND", `run ${runId} is ${queued.rows[0].status} and has not started yet`);
    const ids = (await db.query(`select run_id from ${this.table("runs")}`)).rows.map((r) => r.run_id as string);
    throw new RunnerError(
      "RUN_NOT_FOUND",
      `no run \`${runId}\` in ${this.where}${didYouMean(runId, ids)}; list runs with \`planfile runs\``,
    );
  }

  async list(): Promise<StoredRun[]> {
    const db = await this.db();
    const { rows } = await db.query(
      `select r.run_id, r.host, r.status, r.plan_name,
              coalesce((select json_agg(j.entry order by j.seq) from ${this.table("journal")} j where j.run_id = r.run_id), '[]') as entries,
              h.host as holder_host, h.pid as holder_pid
         from ${this.table("runs")} r
         left join lateral (${this.holderQuery("r.run_id")}) h on true
        order by r.run_id`,
    );
    return rows.map((r) => ({
      runId: r.run_id,
      entries: r.entries,
      status: r.status,
      ...(r.plan_name ? { plan: r.plan_name } : {}),
      host: r.host ?? undefined,
      ...(r.holder_pid !== null ? { holder: { host: r.holder_host, pid: r.holder_pid } } : {}),
    }));
  }

  /** The owner row of `runIdSql`, only while its backend still holds the run's advisory lock. */
  holderQuery(runIdSql: string): string {
    return `select o.host, o.pid from ${this.table("owners")} o
             where o.run_id = ${runIdSql} and exists (
               select 1 from pg_locks l
                where l.locktype = 'advisory' and l.granted and l.objsubid = 1 and l.pid = o.backend_pid
                  and l.database = (select oid from pg_database where datname = current_database())
                  and ((l.classid::bigint << 32) | l.objid::bigint) = hashtextextended('${this.schema.replace(/'/g, "''")}:' || o.run_id, 0))`;
  }

  async holder(runId: string): Promise<Holder | undefined> {
    const db = await this.db();
    const { rows } = await db.query(this.holderQuery("$1"), [runId]);
    return rows[0] ? { host: rows[0].host, pid: rows[0].pid } : undefined;
  }

  async lock(runId: string): Promise<RunLock> {
    await this.db();
    const me: Holder = { host: hostname(), pid: process.pid };
    // A connection of its own, held for the run: the lock lives exactly as long as this session.
    const client = new pg.Client({
      connectionString: this.url,
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      application_name: `planfile ${me.host}:${me.pid} ${runId}`.slice(0, 63),
    });
    // A dropped session is seen by the journal's next write, which fails the run's sync: never by a crash here.
    client.on("error", () => {});
    try {
      await client.connect();
      // Durable commits whatever the server's default; and the server drops this session (freeing the lock) within
      // about 25 s when the network to us goes silent, instead of the operating system's two hours.
      await client.query(
        "set synchronous_commit = on; set tcp_keepalives_idle = 10; set tcp_keepalives_interval = 5; set tcp_keepalives_count = 3",
      );
      const key = `${this.schema}:${runId}`;
      if (!(await tryRunLock(client, key)) && !(await this.takeOverOrphan(client, runId, key, me))) {
        const owner = await this.holder(runId);
        throw new RunnerError(
          "RUN_BUSY",
          `run ${runId} is in use by ${owner ? `process ${owner.pid} on ${owner.host}` : "another process"}; wait for it to finish, or stop it first`,
        );
      }
      await client.query(
        `insert into ${this.table("owners")} (run_id, host, pid, backend_pid) values ($1, $2, $3, pg_backend_pid())
         on conflict (run_id) do update set host = excluded.host, pid = excluded.pid, backend_pid = excluded.backend_pid, since = now()`,
        [runId, me.host, me.pid],
      );
    } catch (error) {
      await client.end().catch(() => {});
      throw error;
    }
    const seq = Number(
      (await client.query(`select coalesce(max(seq), 0) as n from ${this.table("journal")} where run_id = $1`, [runId]))
        .rows[0].n,
    );
    const journals: PgJournal[] = [];
    return {
      journal: () => {
        const j = new PgJournal(
          client,
          { journal: this.table("journal"), runs: this.table("runs") },
          runId,
          seq,
          me,
          this.url,
        );
        journals.push(j);
        return j;
      },
      release: async () => {
        for (const j of journals) await j.drain();
        // Closing the session frees the lock; the owner row is left and means nothing once the lock is gone.
        await client.end().catch(() => {});
      },
    };
  }

  /**
   * A process killed on this host leaves its session behind for a moment (the server ends it once it reads the
   * closed socket), and that session still holds the run's lock: a resume right after the crash would be told
   * the run is busy. When the recorded owner is a process of this host that no longer exists, the lock is
   * tried again while that session goes, for two seconds at most. Nothing is ended from here: a host name
   * shared by two machines must not let one end the other's session. An owner elsewhere, or alive, keeps its
   * lock at once.
   */
  private async takeOverOrphan(client: pg.Client, runId: string, key: string, me: Holder): Promise<boolean> {
    const owner = await this.holder(runId);
    // No owner: the lock went between our try and this look (or a new owner is writing its row: then still busy).
    if (!owner) return tryRunLock(client, key);
    if (owner.host !== me.host || owner.pid === me.pid || pidExists(owner.pid)) return false;
    for (let i = 0; i < 100; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      if (await tryRunLock(client, key)) return true;
    }
    return false;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** The URL without its password, for messages. */

/** Takes the run's advisory lock for this session if no other session holds it. */
async function tryRunLock(client: pg.Client, key: string): Promise<boolean> {
  const { rows } = await client.query("select pg_try_advisory_lock(hashtextextended($1, 0)) as ok", [key]);
  return rows[0].ok === true;
}
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "the store URL";
  }
}
