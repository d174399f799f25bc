// One convention across commands, as a user meets it: a child process, its exit code, and which
// stream carries what (text for people on stderr, data on stdout).
import { copyFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { COMMANDS } from "../../src/cli/commands.js";
import { entry, GOAL, tempDir } from "./helpers.js";

const dir = tempDir();
const invalid = join(dir, "invalid.yaml");
// Fails the plan schema, which every command checks (diff needs no tools, so checks only that).
copyFileSync("test/fixtures/plans/invalid/missing-field.yaml", invalid);

describe("every command", { timeout: 180_000 }, () => {
  it.each(Object.keys(COMMANDS))("%s --help prints its usage on stdout and exits 0", async (command) => {
    const { code, stdout, stderr } = await entry(command, ["--help"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(new RegExp(`^Usage: .*src/${command}\\.ts`));
    expect(stderr).toBe("");
  });

  it.each([
    ["validate", ["--jsn", "plans/migrate-orders.yaml"], "--json"],
    ["show", ["--fromat", "markdown", "plans/migrate-orders.yaml"], "--format"],
    ["diff", ["--exit-cod", "a.yaml", "b.yaml"], "--exit-code"],
    ["run", ["--aprove", "freeze", "plans/migrate-orders.yaml"], "--approve"],
    ["rollback", ["--stat-dir", "x", "some-run"], "--state-dir"],
    ["runs", ["--jsno"], "--json"],
    ["tools", ["--tool", "x"], "--tools"],
    ["sandbox", ["reset", "--fixtur", "default"], "--fixture"],
    ["plan", ["--ouptut", "x.yaml", GOAL], "--output"],
    ["eval", ["--repaet", "2"], "--repeat"],
  ])("%s: an unknown flag is a usage error with a did-you-mean (exit 2)", async (command, args, meant) => {
    const { code, stdout, stderr } = await entry(command, args);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toContain(`unknown option \`${args.find((a) => a.startsWith("--"))}\`; did you mean \`${meant}\`?`);
    // Not node:util's own advice about positionals, which does not apply.
    expect(stderr).not.toContain("To specify a positional argument");
  });

  it("a flag that needs a value says so", async () => {
    const { code, stderr } = await entry("show", ["plans/migrate-orders.yaml", "--format"]);
    expect(code).toBe(2);
    expect(stderr).toContain("`--format` needs a value");
  });
});

describe("one exit code per kind of problem", { timeout: 180_000 }, () => {
  it.each([
    ["validate", ["plans/no-such-plan.yaml"]],
    ["show", ["plans/no-such-plan.yaml"]],
    ["diff", ["plans/migrate-orders.yaml", "plans/no-such-plan.yaml"]],
    ["run", ["plans/no-such-plan.yaml"]],
  ])("%s: a missing plan file is a usage error (exit 2) naming the file", async (command, args) => {
    const { code, stdout, stderr } = await entry(command, args);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toContain("no such plan file: plans/no-such-plan.yaml");
  });

  it("a near miss gets a did-you-mean", async () => {
    const { stderr } = await entry("show", ["plans/migrate-order.yaml"]);
    expect(stderr).toContain("did you mean plans/migrate-orders.yaml?");
  });

  it.each([
    ["validate", [invalid]],
    ["show", [invalid]],
    ["diff", ["plans/migrate-orders.yaml", invalid]],
    ["run", ["--state-dir", dir, invalid]],
  ])("%s: an invalid plan exits 5 with file:line:col problems on stderr or stdout", async (command, args) => {
    const { code, stdout, stderr } = await entry(command, args);
    expect(code).toBe(5);
    expect(`${stdout}${stderr}`).toMatch(/invalid\.yaml:\d+:\d+ {2}.*\[schema\]/);
  });

  it("an unknown run is exit 2 in runs, run --resume and rollback", async () => {
    for (const [command, args] of [
      ["runs", ["--state-dir", dir, "no-such-run"]],
      ["run", ["--state-dir", dir, "--resume", "no-such-run"]],
      ["rollback", ["--state-dir", dir, "no-such-run"]],
    ] as const) {
      const { code, stderr } = await entry(command, [...args]);
      expect(code, command).toBe(2);
      expect(stderr, command).toContain("no run `no-such-run`");
    }
  });
});

describe("streams", { timeout: 180_000 }, () => {
  it("plan: the plan on stdout, the report on stderr", async () => {
    const state = tempDir();
    const { code, stdout, stderr } = await entry("plan", ["--state-dir", state, GOAL]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^# planfile plan/);
    expect(stdout).not.toContain("planned 9 steps");
    expect(stderr).toMatch(/^planned 9 steps/);
  });

  it("sandbox reset says what it did on stderr; stdout stays empty for data", async () => {
    const state = tempDir();
    const { code, stdout, stderr } = await entry("sandbox", ["reset", "--state-dir", state]);
    expect(code).toBe(0);
    expect(stdout).toBe("");
    expect(stderr).toContain("sandbox world reset from fixture default");
  });

  it("validate --json: only JSON on stdout", async () => {
    const { code, stdout } = await entry("validate", ["--json", "plans/migrate-orders.yaml"]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)[0]).toMatchObject({ valid: true, steps: 9 });
  });

  it("a folder where a file was expected is a usage error", async () => {
    writeFileSync(join(dir, "x"), "");
    const { code, stderr } = await entry("validate", [dir]);
    expect(code).toBe(2);
    expect(stderr).toContain("is a folder");
  });
});
