import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const cli = (...args: string[]) =>
  run(process.execPath, ["--import", "tsx", "src/tools.ts", "--tools", "test/fixtures/tools", ...args]).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );

describe("tsx src/tools.ts (the tool catalogue the validator points at)", () => {
  it("lists every registered tool with its effect, risk, idempotency and probe flag", async () => {
    const { code, stdout } = await cli();
    expect(code).toBe(0);
    expect(stdout).toMatch(/^TOOL +EFFECT +DESCRIPTION$/m);
    expect(stdout).toMatch(/^demo\.db\.describe +read,idempotent,probe +Describe a database\.$/m);
    expect(stdout).toMatch(/^demo\.storage\.delete +destructive,risky,idempotent +Delete a file or object\.$/m);
  });

  it("shows one tool with how it is undone and its schemas", async () => {
    const { stdout } = await cli("demo.db.dump");
    expect(stdout).toContain("compensation:\n  tool: demo.storage.delete\n  args:\n    path: ${{ outputs.path }}");
    expect(stdout).toContain("required:\n    - database");
  });

  it("names an unknown tool and how to list them (exit 2)", async () => {
    const { code, stderr } = await cli("demo.db.nope");
    expect(code).toBe(2);
    // The hint runs as printed: spelled as this test invoked the command, with the same --tools.
    expect(stderr).toContain(
      "no tool named demo.db.nope; did you mean `demo.db.dump`?; run `node --import tsx src/tools.ts --tools test/fixtures/tools` to list them",
    );
  });
});
