// One owner per run, across processes that share only the store: a second one is refused with the owner's
// host and pid, and the lock dies with its holder (SIGKILL), whatever the store.
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { hostname } from "node:os";
import { afterEach, expect, it } from "vitest";
import { tempDir } from "../runner/helpers.js";
import { describeStores } from "./stores.js";

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill("SIGKILL");
});

async function holder(state: string, env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "test/store/fixtures/hold-lock.ts", state, "r1"], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  children.push(child);
  let out = "";
  for await (const chunk of child.stdout!) {
    out += chunk;
    if (out.includes("held")) break;
  }
  return child;
}

describeStores(
  "the run lock",
  (kind) => {
    it("refuses a second owner naming the holder's host and pid, and frees the run when the holder is SIGKILLed", async () => {
      const state = tempDir();
      const store = kind.open(state);
      const owner = await holder(state, kind.env(store));
      await expect(store.lock("r1")).rejects.toThrow(
        new RegExp(`run r1 is in use by process ${owner.pid} on ${hostname()}`),
      );
      expect(await store.holder("r1")).toEqual({ host: hostname(), pid: owner.pid });

      owner.kill("SIGKILL");
      await once(owner, "exit");
      // The server ends the dead client's session when it sees the socket close: wait for that, not for a clock.
      let lock: Awaited<ReturnType<typeof store.lock>> | undefined;
      while (!lock) lock = await store.lock("r1").catch(() => undefined);
      await lock.release();
      expect(await store.holder("r1")).toBeUndefined();
    });

    it("a released lock is free at once, and another run's lock is independent", async () => {
      const store = kind.open(tempDir());
      const a = await store.lock("a");
      const b = await store.lock("b");
      await a.release();
      const again = await store.lock("a");
      await again.release();
      await b.release();
    });
  },
  { timeout: 60_000 },
);
