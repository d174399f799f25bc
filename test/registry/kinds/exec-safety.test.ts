// exec tools and untrusted args: a value cannot become an option, a secret never sits in argv,
// and the child sees only the environment its manifest grants.
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManifestError } from "../../../src/errors.js";
import { loadManifest, Registry } from "../../../src/registry/index.js";
import { failure } from "./failure.js";

const manifest = new URL("../../fixtures/kinds/exec-safety.tools.yaml", import.meta.url).pathname;
let registry: Registry;
const dir = mkdtempSync(join(tmpdir(), "planfile-exec-safety-"));

beforeAll(async () => {
  registry = new Registry(dir);
  await loadManifest(registry, manifest);
});
afterAll(() => registry.close());

describe("option injection", () => {
  it("refuses `--output=/tmp/x` as a git revision, and git writes no file", async () => {
    const target = join(dir, "written-by-git");
    const error = await failure(registry.call("xs.git-log", { ref: `--output=${target}` }));
    expect(error.details.toolCode).toBe("ARGV_OPTION_INJECTION");
    expect(error.message).toMatch(/would read as an option/);
    expect(existsSync(target)).toBe(false);
  });

  it("passes a leading dash after a literal `--`, where the program reads it as an operand", async () => {
    const out = (await registry.call("xs.operands", { path: "--output=x" })) as { json: string[] };
    expect(out.json).toEqual(["--output=x"]);
  });

  it("passes a negative number where the manifest lists the arg in optionArgs, and nowhere else", async () => {
    const out = (await registry.call("xs.offset", { offset: -5, names: ["a"] })) as { json: string[] };
    expect(out.json).toEqual(["-5", "a"]);
    const error = await failure(registry.call("xs.offset", { offset: 1, names: ["-rf"] }));
    expect(error.details.toolCode).toBe("ARGV_OPTION_INJECTION");
  });
});

describe("secrets and the environment of a child", () => {
  it("hands secrets over by env and stdin, never argv, and passes only PATH and the declared variables", async () => {
    process.env.AWS_SECRET_ACCESS_KEY = "aws-secret-in-planfile-env";
    process.env.PLANFILE_TEST_PASSED = "declared";
    try {
      const out = (await registry.call(
        "xs.whoami",
        { name: "ada" },
        { secrets: { API_TOKEN: "tok-0123456789", DB_PASSWORD: "pw-9876543210" } },
      )) as { json: { argv: string[]; env: Record<string, string>; stdin: string } };
      const { argv, env, stdin } = out.json;
      expect(JSON.stringify(argv)).not.toMatch(/tok-0123456789|pw-9876543210/);
      expect(Object.keys(env).sort()).toEqual(
        ["API_TOKEN", "GREETING", "PATH", "PLANFILE_IDEMPOTENCY_KEY", "PLANFILE_TEST_PASSED", "SHARED"].sort(),
      );
      expect(env.API_TOKEN).toBe("tok-0123456789");
      expect(env.GREETING).toBe("hello ada");
      expect(env.SHARED).toBe("from the implementation");
      expect(stdin).toBe("password=pw-9876543210");
    } finally {
      delete process.env.AWS_SECRET_ACCESS_KEY;
      delete process.env.PLANFILE_TEST_PASSED;
    }
  });

  it("refuses a manifest that puts a secret in the command", async () => {
    const file = join(dir, "leaky.tools.yaml");
    writeFileSync(
      file,
      `apiVersion: planfile/v1
kind: ToolSet
name: leaky
description: puts a token in argv
implementation: {kind: exec}
tools:
  - name: leaky.call
    description: x
    effect: read
    idempotent: true
    command: [curl, -H, "Authorization: Bearer \${{ secrets.TOKEN }}", https://example.invalid]
    input: {type: object}
    output: {type: object}
`,
    );
    const error = await loadManifest(new Registry(dir), file).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ManifestError);
    expect((error as Error).message).toMatch(/every user of the machine can read a process's argv.*env: \{TOKEN/);
  });
});
