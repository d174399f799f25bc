import { execFile } from "node:child_process";
import { readdirSync } from "node:fs";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const cli = (...args: string[]) =>
  run(process.execPath, ["--import", "tsx", "src/validate.ts", "--tools", "test/fixtures/tools", ...args]).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );

describe("tsx src/validate.ts", () => {
  it("exits 0 and prints the digest for a valid plan", async () => {
    const { code, stdout, stderr } = await cli("test/fixtures/plans/valid.yaml");
    expect(code).toBe(0);
    expect(stdout).toMatch(/valid\.yaml {2}valid {2}3 steps {2}sha256:[0-9a-f]{64}/);
    expect(stderr).toContain("1 valid, 0 invalid");
  });

  it("exits 5 (invalid plan, as in show, diff and run) with a file:line:col message for each broken fixture", async () => {
    const dir = "test/fixtures/plans/invalid";
    const files = readdirSync(dir).map((f) => `${dir}/${f}`);
    const { code, stdout, stderr } = await cli(...files);
    expect(code).toBe(5);
    for (const file of files) expect(stdout).toMatch(new RegExp(`^${file}:\\d+:\\d+  \\S`, "m"));
    expect(stderr).toContain(`0 valid, ${files.length} invalid`);
  });

  it("--json reports problems with positions and rule names", async () => {
    const { code, stdout } = await cli(
      "--json",
      "test/fixtures/plans/invalid/cycle.yaml",
      "test/fixtures/plans/valid.yaml",
    );
    expect(code).toBe(5);
    const report = JSON.parse(stdout);
    expect(report[0]).toMatchObject({ file: "test/fixtures/plans/invalid/cycle.yaml", valid: false });
    expect(report[0].problems[0]).toMatchObject({ rule: "cycle", line: 16, col: 16 });
    expect(report[1]).toMatchObject({ valid: true, steps: 3 });
  });

  it("names a missing file as a usage error (exit 2, as in every command)", async () => {
    const { code, stdout, stderr } = await cli("plans/does-not-exist.yaml");
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toContain("no such plan file: plans/does-not-exist.yaml");
  });

  it("exits 2 with usage when given no files", async () => {
    const { code, stderr } = await cli();
    expect(code).toBe(2);
    expect(stderr).toContain("Usage: node --import tsx src/validate.ts");
  });
});
