// The owner's connection to the store drops while its run is under way (the process lives on): the lock is gone
// with the session, so the process must not start another call; another process takes the run over and
// reconciles it.
import { describe, expect, it } from "vitest";
import { run } from "../../src/runner/index.js";
import { PostgresRunStore } from "../../src/store/postgres/store.js";
import { deferred, harness, plan, set } from "../runner/helpers.js";
import { POSTGRES, TEST_STORE_URL } from "./stores.js";

describe.skipIf(!TEST_STORE_URL)("a dropped store connection [postgres]", () => {
  it("fences the owner: nothing new starts after its session ends, and another process finishes the run", async () => {
    const h = harness();
    const store = POSTGRES.open(h.stateDir) as PostgresRunStore;
    h.gates.set("a", deferred());
    const p = plan([set("a"), set("b", ["a"])]);
    const first = run(p, { registry: h.registry, store, runId: "r1", retryDelayMs: 0 }).then(
      (r) => r,
      (e: Error) => e,
    );
    await h.whenStarted("a");
    // The server ends the owner's session, as a network cut seen by keepalive would. The timeout makes
    // pg_terminate_backend wait until the backend has exited (and its advisory lock is gone), not just signal it.
    const db = await store.db();
    const { rows } = await db.query(
      `select pg_terminate_backend(backend_pid, 10000) as ok from ${store.table("owners")} where run_id = 'r1'`,
    );
    expect(rows).toEqual([{ ok: true }]);
    expect(await store.holder("r1")).toBeUndefined();
    h.gates.get("a")!.open();
    const ended = await first;
    expect(ended).toBeInstanceOf(Error);
    expect((ended as Error).message).toMatch(/run r1: the journal could not be written to the store/);
    expect(h.started.has("b")).toBe(false);

    // Another process (its own store object and connections, the same store) resumes: a is idempotent and was
    // in flight, so it runs again; then b runs.
    const other = new PostgresRunStore(TEST_STORE_URL!, { schema: store.schema });
    try {
      h.calls.length = 0;
      const again = await run(p, { registry: h.registry, store: other, runId: "r1", resume: true, retryDelayMs: 0 });
      expect(again.status).toBe("succeeded");
      expect(h.calls).toEqual(["kv.set r1:a", "kv.set r1:b"]);
    } finally {
      await other.close();
    }
  });
});
