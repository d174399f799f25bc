// `runs` tells a live run from an interrupted one; `sandbox show` never invents a world; `--fixture`
// takes a path. All through the commands, as a user runs them.
import { spawn as spawnChild } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { entry, GOAL, tempDir } from "./helpers.js";

describe("runs: live or interrupted", { timeout: 180_000 }, () => {
  it("a run whose process died is interrupted; while a live process holds its lock it is running", async () => {
    const state = tempDir();
    // The runner is SIGKILLed right after journal line 12 (while `dump` runs), as in the README's crash demo.
    const crashed = await entry(
      "run",
      ["--state-dir", state, "--run-id", "crash-demo", "--yes", "plans/migrate-orders.yaml"],
      { env: { PLANFILE_TEST_KILL_AT_LINE: "12" } },
    );
    expect(crashed.code).not.toBe(0);
    const before = await entry("runs", ["--state-dir", state]);
    expect(before.stdout).toMatch(/crash-demo .* interrupted /);

    // A live process holds the run's lock (as a runner acting on it does): the run is running.
    const holder = spawnChild(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
    try {
      writeFileSync(join(state, "runs", "crash-demo", "lock"), String(holder.pid));
      const live = await entry("runs", ["--state-dir", state]);
      expect(live.stdout).toMatch(new RegExp(`crash-demo .* running \\(pid ${holder.pid}\\) `));
      const one = await entry("runs", ["--state-dir", state, "crash-demo"]);
      expect(one.stdout).toContain(`run crash-demo  running (pid ${holder.pid})`);
      expect(one.stdout).toMatch(/dump +sandbox\.db\.dump +running/);
    } finally {
      holder.kill("SIGKILL");
      await new Promise((r) => holder.once("exit", r));
    }
    // Its holder is gone: interrupted again (the lock is stale, not held).
    const after = await entry("runs", ["--state-dir", state, "crash-demo"]);
    expect(after.stdout).toContain("run crash-demo  interrupted");
    expect(after.stdout).toMatch(/dump +sandbox\.db\.dump +interrupted \(outcome unknown\)/);
  });

  it("a mistyped --state-dir is an error, not `no runs yet`", async () => {
    const state = tempDir();
    const { code, stderr } = await entry("runs", ["--state-dir", join(state, "typo")]);
    expect(code).toBe(2);
    expect(stderr).toContain(`no state folder ${join(state, "typo")}`);
  });
});

describe("sandbox", { timeout: 180_000 }, () => {
  it("show on a missing world says so, exits 2, and creates nothing", async () => {
    const state = join(tempDir(), "typo");
    const { code, stdout, stderr } = await entry("sandbox", ["show", "--state-dir", state]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toContain(`no sandbox world at ${join(state, "sandbox", "world.json")} (check --state-dir)`);
    expect(stderr).toContain(`\`node --import tsx src/sandbox.ts --state-dir ${state} reset\``);
    expect(existsSync(state)).toBe(false);
  });

  it("an unknown subcommand gets a did-you-mean", async () => {
    const { code, stderr } = await entry("sandbox", ["shwo"]);
    expect(code).toBe(2);
    expect(stderr).toContain("unknown command `shwo`; did you mean `show`?");
  });

  it("--fixture takes a path: a world with no free subnet anywhere, and the planner refuses", async () => {
    const dir = tempDir();
    const fixture = join(dir, "no-free-subnet.yaml");
    writeFileSync(
      fixture,
      [
        "extends: default",
        "description: every eu-west-1 subnet is full",
        "subnets:",
        "  euw1-data-a: {reservedIps: 250}",
        "  euw1-data-b: {reservedIps: 250}",
        "  euw1-web: {reservedIps: 250}",
        "",
      ].join("\n"),
    );
    const reset = await entry("sandbox", ["reset", "--fixture", fixture, "--state-dir", dir]);
    expect(reset.code, reset.stderr).toBe(0);
    const planned = await entry("plan", ["--state-dir", dir, GOAL]);
    expect(planned.code).toBe(1);
    expect(planned.stdout).toBe("");
    expect(planned.stderr).toContain("no subnet in eu-west-1 has a free IP");
  });

  it("a fixture path that does not exist is named", async () => {
    const dir = tempDir();
    const { code, stderr } = await entry("sandbox", ["reset", "--fixture", "./nope/x.yaml", "--state-dir", dir]);
    expect(code).toBe(2);
    expect(stderr).toContain("no fixture file ./nope/x.yaml");
  });
});
