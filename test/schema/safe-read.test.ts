// Plan and fixture files may come from someone we do not trust: reading one never follows a link
// unless allowed, never hangs or fills memory, and refuses what is not plain UTF-8 YAML with a position.
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { loadPlanFile } from "../../src/review/load.js";
import { validatePlanFile } from "../../src/validator/index.js";
import { worldFromFixture } from "../../tools/sandbox/world/fixtures.js";
import { demoRegistry } from "../support/demo-registry.js";

const exec = promisify(execFile);
const registry = await demoRegistry();
const valid = readFileSync("test/fixtures/plans/valid.yaml", "utf8");
const dir = () => mkdtempSync(join(tmpdir(), "planfile-read-"));

async function problemsOf(file: string) {
  const result = await validatePlanFile(file, registry);
  if (result.ok) throw new Error(`${file} was accepted`);
  return result.problems;
}

describe("reading a plan file", () => {
  it("does not follow a symbolic link, so an outside file's keys are never echoed back", async () => {
    const d = dir();
    const secret = join(d, "outside.yaml");
    writeFileSync(secret, "aws_secret_key_name: 1\n");
    symlinkSync(secret, join(d, "plan.yaml"));
    const problems = await problemsOf(join(d, "plan.yaml"));
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toMatch(/symbolic link.*--follow-symlinks/);
    expect(JSON.stringify(problems)).not.toContain("aws_secret_key_name");
    const review = await loadPlanFile(join(d, "plan.yaml"));
    expect(review.status).toBe("invalid");
  });

  it("follows a link to a valid plan with --follow-symlinks", async () => {
    const d = dir();
    writeFileSync(join(d, "real.yaml"), valid);
    symlinkSync(join(d, "real.yaml"), join(d, "plan.yaml"));
    const refused = await exec(process.execPath, [
      "--import",
      "tsx",
      "src/validate.ts",
      "--tools",
      "test/fixtures/tools",
      join(d, "plan.yaml"),
    ]).catch((e) => e);
    // A refused link is an invalid plan: exit 5 in every command (src/cli/exit-codes.ts).
    expect(refused.code).toBe(5);
    expect(refused.stdout + refused.stderr).toMatch(/symbolic link/);
    const allowed = await exec(process.execPath, [
      "--import",
      "tsx",
      "src/validate.ts",
      "--follow-symlinks",
      "--tools",
      "test/fixtures/tools",
      join(d, "plan.yaml"),
    ]);
    expect(allowed.stdout).toMatch(/valid {2}3 steps/);
  });

  it("refuses /dev/zero behind a followed link at once (not a regular file), without reading it", async () => {
    const d = dir();
    symlinkSync("/dev/zero", join(d, "plan.yaml"));
    const result = await loadPlanFile(join(d, "plan.yaml"));
    expect(result.status).toBe("invalid");
    const { readUntrustedFile } = await import("../../src/schema/read-file.js");
    const read = readUntrustedFile(join(d, "plan.yaml"), { maxBytes: 2 << 20, followSymlinks: true, noun: "plan" });
    expect(read.ok ? "" : read.problems[0]!.message).toMatch(/a device, not a regular file/);
  });

  it("refuses a FIFO instead of waiting for a writer", async () => {
    const d = dir();
    execFileSync("mkfifo", [join(d, "plan.yaml")]);
    const problems = await problemsOf(join(d, "plan.yaml"));
    expect(problems[0]!.message).toMatch(/named pipe \(FIFO\), not a regular file/);
  });

  it("refuses a file over 2 MiB", async () => {
    const d = dir();
    writeFileSync(join(d, "plan.yaml"), `${valid}\n#${"x".repeat(2 * 1024 * 1024)}\n`);
    expect((await problemsOf(join(d, "plan.yaml")))[0]!.message).toMatch(/larger than 2 MiB/);
  });

  it("refuses invalid UTF-8 inside a value, at its line and column", async () => {
    const d = dir();
    const bytes = Buffer.from(valid.replace("name: migrate-orders-db", "name: migrate-XX"));
    const at = bytes.indexOf("XX");
    bytes[at] = 0xc3; // a lead byte followed by an ASCII 'X': not UTF-8
    writeFileSync(join(d, "plan.yaml"), bytes);
    const [problem] = await problemsOf(join(d, "plan.yaml"));
    expect(problem!.message).toMatch(/not valid UTF-8/);
    expect([problem!.line, problem!.col]).toEqual([4, 17]);
  });

  it("refuses an unknown YAML tag such as !!js/function, at its position", async () => {
    const d = dir();
    writeFileSync(join(d, "plan.yaml"), valid.replace("goal: Copy", "goal: !!js/function Copy"));
    const [problem] = await problemsOf(join(d, "plan.yaml"));
    expect(problem!.message).toBe("unknown YAML tag `!!js/function`; plan files use plain YAML values, without tags");
    expect([problem!.line, problem!.col]).toEqual([5, 9]);
  });

  it("reads a file with CR-only line endings like any other", async () => {
    const d = dir();
    writeFileSync(join(d, "plan.yaml"), valid.replaceAll("\n", "\r"));
    const result = await validatePlanFile(join(d, "plan.yaml"), registry);
    expect(result.ok ? [] : result.problems).toEqual([]);
  });

  it("says a file holds two documents in words, not the parser's API", async () => {
    const d = dir();
    writeFileSync(join(d, "plan.yaml"), `${valid}---\n${valid}`);
    const [problem] = await problemsOf(join(d, "plan.yaml"));
    expect(problem!.message).toMatch(/more than one YAML document/);
    expect(problem!.message).not.toMatch(/parseAllDocuments/);
  });
});

describe("reading a sandbox fixture", () => {
  it("refuses a fixture that is a symbolic link", () => {
    const d = dir();
    writeFileSync(join(d, "real.yaml"), "description: x\n");
    symlinkSync(join(d, "real.yaml"), join(d, "linked.yaml"));
    expect(() => worldFromFixture("linked", d)).toThrow(/symbolic link/);
  });
});
