// run.ts and rollback.ts as a script or CI meets them: no terminal, text on stderr, data on stdout.
import { describe, expect, it } from "vitest";
import { readWorld, resetWorld, worldWithoutCallLog } from "../../tools/sandbox/world/index.js";
import { entry } from "../cli/helpers.js";
import { tempDir } from "./helpers.js";

const TOOLS = "test/fixtures/runner/tools";

const cli = (script: "run" | "rollback", args: string[], env: Record<string, string> = {}) =>
  entry(script, args, { env });

describe("run.ts", { timeout: 180_000 }, () => {
  it("--approve with a step that is not risky (a typo) is a usage error naming the risky steps", async () => {
    const state = tempDir();
    const r = await cli("run", [
      "--tools",
      TOOLS,
      "--state-dir",
      state,
      "--approve",
      "lsat",
      "test/fixtures/runner/counter-plan.yaml",
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--approve lsat: not a risky step of this plan. Risky steps: last");
  });

  it("prints progress on stderr and, with --json, only NDJSON events on stdout", async () => {
    const state = tempDir();
    const r = await cli("run", [
      "--tools",
      TOOLS,
      "--state-dir",
      state,
      "--yes",
      "--json",
      "test/fixtures/runner/counter-plan.yaml",
    ]);
    expect(r.code).toBe(0);
    const events = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { type: string });
    expect(events.at(-1)?.type).toBe("run-finished");
    expect(r.stderr).toContain("succeeded: 4 completed");
    const plain = await cli("run", [
      "--tools",
      TOOLS,
      "--state-dir",
      tempDir(),
      "--yes",
      "test/fixtures/runner/counter-plan.yaml",
    ]);
    expect(plain.stdout).toBe("");
    expect(plain.stderr).toContain("✓ first");
  });
});

describe("the README's crash demo: killed during dump, then undone to the end", () => {
  it("resume stops on dump's unknown outcome; rollback.ts with the operator's answer finishes, the world as before", async () => {
    const state = tempDir();
    resetWorld(state);
    const before = worldWithoutCallLog(readWorld(state));
    const killed = await cli(
      "run",
      ["--state-dir", state, "--run-id", "crash-demo", "--yes", "plans/migrate-orders.yaml"],
      {
        PLANFILE_TEST_KILL_AT_LINE: "12",
      },
    );
    expect(killed.signal).toBe("SIGKILL");
    const resumed = await cli("run", ["--state-dir", state, "--resume", "crash-demo"]);
    expect(resumed.code).toBe(7);
    expect(resumed.stderr).toContain("dump (sandbox.db.dump): sandbox.db.dump has no verify probe");
    // Without a terminal, rollback.ts shows what it would undo and asks for --yes.
    const asked = await cli("rollback", ["--state-dir", state, "crash-demo"]);
    expect(asked.code).toBe(4);
    expect(asked.stderr).toContain("? dump (sandbox.db.dump)");
    expect(asked.stderr).toContain("nothing was undone: confirm with --yes");
    const dry = await cli("rollback", ["--state-dir", state, "--dry-run", "crash-demo"]);
    expect(dry.code).toBe(0);
    expect(dry.stderr).toContain("dry run: nothing was undone");
    // The sandbox's call log shows no dump call with this run's key: the operator answers "did not happen".
    expect(readWorld(state).calls.some((c) => c.idempotencyKey === "crash-demo:dump")).toBe(false);
    const undone = await cli("rollback", [
      "--state-dir",
      state,
      "--yes",
      "--resolve",
      "dump=not-happened",
      "crash-demo",
    ]);
    expect(undone.stderr).toContain("rolled back");
    expect(undone.code).toBe(0);
    expect(worldWithoutCallLog(readWorld(state))).toEqual(before);
    // Done for good: another rollback has nothing left to undo.
    const again = await cli("rollback", ["--state-dir", state, "crash-demo"]);
    expect(again.code).toBe(0);
  }, 180_000);
});
