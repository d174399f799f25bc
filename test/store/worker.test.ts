// Workers on the shared store: a queued run waits for approval given from another machine, and a worker killed
// mid-run leaves its run to another worker, which reconciles it. Real processes; only the store and the world
// are shared between them.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { promisify } from "node:util";
import { afterEach, expect, it } from "vitest";
import { foldJournal } from "../../src/runner/index.js";
import type { PostgresRunStore } from "../../src/store/postgres/store.js";
import { readWorld } from "../../tools/sandbox/world/index.js";
import { tempDir } from "../runner/helpers.js";
import { describeStores, twoMachines } from "./stores.js";

const exec = promisify(execFile);
const PLAN = "test/store/fixtures/two-machines.yaml";
const workers: ChildProcess[] = [];
afterEach(() => {
  for (const w of workers.splice(0)) w.kill("SIGKILL");
});

function worker(state: string, env: Record<string, string>): ChildProcess {
  const w = spawn(
    process.execPath,
    ["--import", "tsx", "src/worker.ts", "--state-dir", state, "--concurrency", "2", "--sweep-every", "0.2"],
    { env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "pipe"] },
  );
  w.stderr!.resume();
  workers.push(w);
  return w;
}

async function cli(script: string, state: string, args: string[], env: Record<string, string>) {
  return exec(process.execPath, ["--import", "tsx", `src/${script}.ts`, "--state-dir", state, ...args], {
    env: { ...process.env, ...env },
  });
}

/** Waits until the store's row for the run says something other than these (the workers' progress, not a clock). */
async function settled(store: PostgresRunStore, runId: string, passing: string[]): Promise<string> {
  for (;;) {
    const { rows } = await (await store.db()).query(`select status from ${store.table("runs")} where run_id = $1`, [
      runId,
    ]);
    const status = rows[0]?.status as string | undefined;
    if (status && !passing.includes(status)) return status;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describeStores(
  "workers",
  (kind) => {
    if (kind.name === "files") {
      it("need a shared store: --enqueue and worker on the file store are usage errors", async () => {
        const state = tempDir();
        const r = await cli("run", state, ["--enqueue", PLAN], kind.env(kind.open(state))).catch((e) => e);
        expect(r.code).toBe(2);
        expect(r.stderr).toContain("--enqueue needs a shared run store");
        const w = await exec(process.execPath, ["--import", "tsx", "src/worker.ts", "--state-dir", state], {
          env: { ...process.env, ...kind.env(kind.open(state)) },
        }).catch((e) => e);
        expect(w.code).toBe(2);
        expect(w.stderr).toContain("a worker needs a shared run store");
      });
      return;
    }

    it("a queued run waits for approval, given from another machine with who and the digest, then a worker finishes it", async () => {
      const { a, b } = twoMachines();
      const store = kind.open(a) as PostgresRunStore;
      const env = kind.env(store);
      const queued = await cli("run", b, ["--enqueue", "--run-id", "q", PLAN], env);
      expect(queued.stdout).toBe("q\n");
      worker(a, env);
      expect(await settled(store, "q", ["queued", "running"])).toBe("awaiting-approval");
      expect(readWorld(a).databases["orders-eu"]).toBeUndefined(); // nothing ran before the approval

      const approved = await cli("approve", b, ["q", "--all", "--by", "alice"], env);
      expect(JSON.parse(approved.stdout)).toMatchObject({ runId: "q", approved: ["freeze"], pending: [] });
      expect(await settled(store, "q", ["queued", "running", "awaiting-approval"])).toBe("succeeded");
      const state = foldJournal(await store.read("q"));
      expect(state.approved.get("freeze")).toMatchObject({ by: "alice", via: "command" });
      const line = (await store.read("q")).find((e) => e.t === "approved");
      expect(line).toMatchObject({ digest: state.digest });
      expect(readWorld(a).databases["orders-eu"]).toBeDefined();
    });

    it("runs only the plan that was enqueued: a plan changed in the store since (its digest differs) is refused", async () => {
      const { a, b } = twoMachines();
      const store = kind.open(a) as PostgresRunStore;
      const env = kind.env(store);
      await cli("run", b, ["--enqueue", "--run-id", "d", "--yes", PLAN], env);
      await (await store.db()).query(
        `update ${store.table("runs")} set queued_plan = jsonb_set(queued_plan, '{steps,1,args,sizeGb}', '400') where run_id = 'd'`,
      );
      worker(a, env);
      expect(await settled(store, "d", ["queued", "running"])).toBe("digest-mismatch");
      expect(readWorld(a).calls).toEqual([]); // nothing ran
    });

    it("a worker killed mid-run: another picks the run up once the lock is free, and reconciles it", async () => {
      const { a, b } = twoMachines();
      const store = kind.open(a) as PostgresRunStore;
      const env = kind.env(store);
      await cli("run", b, ["--enqueue", "--run-id", "k", "--yes", "--approved-by", "ci", PLAN], env);
      // Journal line 5 is create_target's intent: the first worker dies right after committing it.
      const first = worker(a, { ...env, PLANFILE_TEST_KILL_AT_LINE: "5" });
      const [, signal] = await new Promise<[number | null, string | null]>((r) =>
        first.on("exit", (c, s) => r([c, s])),
      );
      expect(signal).toBe("SIGKILL");
      expect(foldJournal(await store.read("k")).inFlight.has("create_target")).toBe(true);

      worker(b, env);
      expect(await settled(store, "k", ["queued", "running"])).toBe("succeeded");
      const calls = readWorld(a).calls.filter((c) => c.tool === "sandbox.db.create" && c.ok && !c.replay);
      expect(calls).toHaveLength(1); // the probe said it had not happened; it ran once
      expect(foldJournal(await store.read("k")).approved.get("freeze")).toMatchObject({ by: "ci", via: "flag" });
    });
  },
  // Each test starts two or three processes; on a loaded two-core machine (the whole suite at once) that is slow.
  { timeout: 300_000 },
);
