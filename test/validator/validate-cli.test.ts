import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const cli = (...args: string[]) =>
  run("npx", ["tsx", "src/validate.ts", "--tools", "test/fixtures/tools", ...args]).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );

describe("tsx src/validate.ts", () => {
  it("exits 0 and prints the digest for a valid plan", async () => {
    const { code, stdout } = await cli("test/fixtures/plans/valid.yaml");
    expect(code).toBe(0);
    expect(stdout).toMatch(/valid\.yaml {2}valid {2}3 steps {2}sha256:[0-9a-f]{64}/);
  });

  it("exits 1 with file:line:col messages for a broken plan", async () => {
    const { code, stdout } = await cli("test/fixtures/plans/broken.yaml");
    expect(code).toBe(1);
    expect(stdout).toContain("test/fixtures/plans/broken.yaml:8:11  step `dump` uses unknown tool `demo.db.dmp`; did you mean `demo.db.dump`?");
  });
});
