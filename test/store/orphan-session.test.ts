// A process killed on this host leaves its store session behind for a moment, still holding the run's lock. A
// resume right after the crash waits for that session to go instead of calling the run busy; a live owner, or
// one it cannot see, keeps its lock.
import { execFileSync } from "node:child_process";
import { hostname } from "node:os";
import pg from "pg";
import { describe, expect, it } from "vitest";
import type { PostgresRunStore } from "../../src/store/postgres/store.js";
import { tempDir } from "../runner/helpers.js";
import { POSTGRES, TEST_STORE_URL } from "./stores.js";

/** The pid of a process that has exited. */
const deadPid = () => Number(execFileSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]));

/** A session that holds `runId`'s lock and is recorded as `pid`'s on this host, as a killed owner's is. */
async function leftover(store: PostgresRunStore, runId: string, pid: number): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: TEST_STORE_URL });
  await client.connect();
  await client.query("select pg_advisory_lock(hashtextextended($1, 0))", [`${store.schema}:${runId}`]);
  await client.query(
    `insert into ${store.table("owners")} (run_id, host, pid, backend_pid) values ($1, $2, $3, pg_backend_pid())
     on conflict (run_id) do update set host = excluded.host, pid = excluded.pid, backend_pid = excluded.backend_pid`,
    [runId, hostname(), pid],
  );
  return client;
}

describe.skipIf(!TEST_STORE_URL)("a killed owner's session [postgres]", () => {
  it("is waited for: the lock is taken once the session goes, not refused while it lingers", async () => {
    const store = POSTGRES.open(tempDir()) as PostgresRunStore;
    await store.db();
    const session = await leftover(store, "r1", deadPid());
    // The session goes just after the new owner has found it holding the lock and looked up whose it is, as a
    // killed process's session goes on its own a moment after the crash.
    const holder = store.holder.bind(store);
    let gone = false;
    store.holder = async (runId) => {
      const owner = await holder(runId);
      if (owner && !gone) {
        gone = true;
        await session.end();
      }
      return owner;
    };
    const lock = await store.lock("r1");
    expect(gone).toBe(true);
    expect(await store.holder("r1")).toEqual({ host: hostname(), pid: process.pid });
    await lock.release();
  });

  it("is not waited for when its owner is alive: the run is busy at once", async () => {
    const store = POSTGRES.open(tempDir()) as PostgresRunStore;
    await store.db();
    const session = await leftover(store, "r2", process.ppid);
    try {
      await expect(store.lock("r2")).rejects.toThrow(/run r2 is in use by process/);
    } finally {
      await session.end();
    }
  });
});
