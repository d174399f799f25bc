// A run started by one process and killed is finished by another that shares only the store and the tools'
// world: two state folders (no runs/ in either), the sandbox's world shared as the real cloud would be.
import { existsSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { readWorld } from "../../tools/sandbox/world/index.js";
import { entry } from "../cli/helpers.js";
import { describeStores, twoMachines } from "./stores.js";

const PLAN = "test/store/fixtures/two-machines.yaml";

const cli = (script: string, state: string, args: string[], env: Record<string, string>) =>
  entry(script, ["--state-dir", state, ...args], { env });

/** Non-idempotent calls applied more than once, by idempotency key, from the sandbox's call log. */
function appliedTwice(state: string): string[] {
  const seen = new Map<string, number>();
  for (const c of readWorld(state).calls)
    if (c.ok && !c.replay && c.idempotencyKey && c.tool !== "sandbox.db.setReadOnly")
      seen.set(`${c.tool} ${c.idempotencyKey}`, (seen.get(`${c.tool} ${c.idempotencyKey}`) ?? 0) + 1);
  return [...seen].filter(([, n]) => n > 1).map(([k]) => k);
}

describeStores(
  "a run finished by another machine",
  (kind) => {
    if (kind.name === "files") {
      it("is not possible with the file store: the other machine does not know the run", async () => {
        const { a, b } = twoMachines();
        const env = kind.env(kind.open(a));
        const first = await cli("run", a, ["--run-id", "m", "--yes", PLAN], {
          ...env,
          PLANFILE_TEST_KILL_AT_LINE: "5",
        });
        expect(first.signal).toBe("SIGKILL");
        const other = await cli("run", b, ["--resume", "m"], env);
        expect(other.code).toBe(2);
        expect(other.stderr).toContain("no run `m`");
      });
      return;
    }

    it("killed before a non-idempotent call: the other machine's probe says it did not happen, and it runs once", async () => {
      const { a, b } = twoMachines();
      const env = kind.env(kind.open(a));
      // Line 5 is create_target's intent: committed, then the process dies before the call.
      const first = await cli("run", a, ["--run-id", "m", "--yes", PLAN], { ...env, PLANFILE_TEST_KILL_AT_LINE: "5" });
      expect(first.signal).toBe("SIGKILL");
      const list = await cli("runs", b, [], env);
      expect(list.stdout).toMatch(new RegExp(`m\\s.*interrupted\\s+two-machines\\s+1/3\\s+${hostname()}`));
      const resumed = await cli("run", b, ["--resume", "m"], env);
      expect(resumed.stderr).toContain("succeeded");
      expect(resumed.code).toBe(0);
      expect(readWorld(b).databases["orders-eu"]).toBeDefined();
      expect(appliedTwice(b)).toEqual([]);
      expect(existsSync(join(a, "runs")) || existsSync(join(b, "runs"))).toBe(false);
    });

    it("killed after a non-idempotent call returned: the other machine sees it happened, stops, and rolls it back", async () => {
      const { a, b } = twoMachines();
      const env = kind.env(kind.open(a));
      const first = await cli("run", a, ["--run-id", "m", "--yes", PLAN], {
        ...env,
        PLANFILE_TEST_KILL_AFTER_CALL: "2",
      });
      expect(first.signal).toBe("SIGKILL");
      const resumed = await cli("run", b, ["--resume", "m"], env);
      expect(resumed.code).toBe(7);
      expect(resumed.stderr).toContain("HAPPENED");
      const undo = await cli("rollback", b, ["--yes", "m"], env);
      expect(undo.stderr).toContain("rolled back");
      expect(undo.code).toBe(0);
      expect(readWorld(b).databases["orders-eu"]).toBeUndefined();
      expect(readWorld(b).databases.orders!.readOnly).toBe(false);
      expect(appliedTwice(b)).toEqual([]);
    });
  },
  { timeout: 120_000 },
);
