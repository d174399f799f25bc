// A hint runs as printed: spelled the way the user started the command, with the --state-dir
// (and --tools) they gave. Each test pastes the printed hint into a shell and runs it.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { entry, REPO, spawn, tempDir } from "./helpers.js";

const sh = (line: string) => spawn("sh", ["-c", line], { cwd: REPO });

/** The command after "then: " in a run's closing words (on stdout or stderr). */
function hintAfterThen(out: { stdout: string; stderr: string }): string {
  const line = `${out.stdout}\n${out.stderr}`.split("\n").find((l) => l.includes("then: "));
  expect(line, `no hint in:\n${out.stdout}${out.stderr}`).toBeDefined();
  return line!.slice(line!.indexOf("then: ") + "then: ".length).trim();
}

describe("hints", { timeout: 180_000 }, () => {
  it("awaiting approval: the resume hint carries --state-dir and resumes the run when pasted", async () => {
    const state = tempDir();
    const first = await entry("run", ["--state-dir", state, "plans/migrate-orders.yaml"]);
    expect(first.code).toBe(4);
    const hint = hintAfterThen(first);
    expect(hint).toMatch(
      new RegExp(`^node --import tsx src/run\\.ts --state-dir ${state} --resume \\S+ --approve freeze,cutover$`),
    );
    const resumed = await sh(hint);
    expect(resumed.code).toBe(0);
    expect(`${resumed.stdout}${resumed.stderr}`).toContain("succeeded");
  });

  it("through the dispatcher the hint names `… planfile.ts run`", async () => {
    const state = tempDir();
    const first = await spawn(process.execPath, [
      "--import",
      "tsx",
      "src/planfile.ts",
      "run",
      "plans/migrate-orders.yaml",
      "--state-dir",
      state,
    ]);
    expect(first.code).toBe(4);
    expect(hintAfterThen(first)).toMatch(
      /^node --import tsx src\/planfile\.ts run --state-dir \S+ --resume \S+ --approve/,
    );
  });

  it("with npx tsx the hint says npx tsx", async () => {
    const state = tempDir();
    const out = await promisify(execFile)("npx", ["tsx", "src/runs.ts", "--state-dir", state, "nope"], {
      cwd: REPO,
    }).catch((e: { code: number; stderr: string }) => e);
    expect((out as { code: number }).code).toBe(2);
    expect((out as { stderr: string }).stderr).toContain(`list runs with \`npx tsx src/runs.ts --state-dir ${state}\``);
  });

  it("a library message's hint gets the user's --tools too", async () => {
    const { code, stderr } = await entry("tools", ["--tools", "test/fixtures/tools", "demo.db.dmp"]);
    expect(code).toBe(2);
    expect(stderr).toContain("did you mean `demo.db.dump`?");
    expect(stderr).toContain("`node --import tsx src/tools.ts --tools test/fixtures/tools`");
  });
});
