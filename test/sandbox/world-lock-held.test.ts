// A `world.json.lock` left behind, or held, by another process: the run ends in a typed, journaled
// error and a rollback, or takes the lock over when its owner is gone; never an uncaught throw.
import { execFile, spawn } from "node:child_process";
import { readFileSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { processStart } from "../../src/process-start.js";
import { readWorld, resetWorld } from "../../tools/sandbox/world/index.js";
import { tempDir } from "../runner/helpers.js";

const exec = promisify(execFile);
const PLAN = "test/fixtures/sandbox/flag-plan.yaml";

async function runCli(state: string) {
  try {
    const r = await exec(
      process.execPath,
      ["--import", "tsx", "src/run.ts", "--state-dir", state, "--run-id", "r", "--yes", PLAN],
      { env: { ...process.env, PLANFILE_SANDBOX_LOCK_WAIT_MS: "200" } },
    );
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

function withSleeper<T>(body: (pid: number) => Promise<T>): Promise<T> {
  const sleeper = spawn("sleep", ["60"]);
  return body(sleeper.pid!).finally(() => sleeper.kill());
}

describe("the sandbox world lock held by another process", () => {
  it("held by a live process: the write step fails with a typed error that is journaled, and the run rolls back", async () => {
    const state = tempDir();
    resetWorld(state);
    await withSleeper(async (pid) => {
      writeFileSync(join(state, "sandbox", "world.json.lock"), `${pid} ${processStart(pid)} 0123456789abcdef`);
      const result = await runCli(state);
      expect(result.stderr).not.toMatch(/Uncaught|\s{4}at /);
      expect(result.code).toBe(1);
      const journal = readFileSync(join(state, "runs", "r", "journal.ndjson"), "utf8");
      expect(journal).toMatch(/"step":"turn-on"[^\n]*world is locked by process/);
      expect(journal).toMatch(/"t":"run-finished"[^\n]*"rolled-back"/);
    });
    expect(readWorld(state).flags["eu-orders-routing"]).toEqual({ enabled: false, rollout: 0 });
  });

  it("left by a dead process whose pid a later process reused: taken over, and the run succeeds", async () => {
    const state = tempDir();
    resetWorld(state);
    await withSleeper(async (pid) => {
      const lock = join(state, "sandbox", "world.json.lock");
      writeFileSync(lock, String(pid));
      const anHourAgo = new Date(Date.now() - 3_600_000);
      utimesSync(lock, anHourAgo, anHourAgo);
      const result = await runCli(state);
      expect(result.stderr).not.toMatch(/Uncaught|\s{4}at /);
      expect(result.code).toBe(0);
    });
    expect(readWorld(state).flags["eu-orders-routing"]).toEqual({ enabled: true, rollout: 10 });
  });
});
