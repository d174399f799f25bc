// `tsx src/plan.ts` with a model endpoint that is slow, absent, or says the goal cannot be done:
// exit 1, nothing on stdout, and a message on stderr that fits the cause.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { answer, refusedUrl, startFakeOpenAi, type FakeOpenAi } from "../support/fake-openai.js";

const run = promisify(execFile);
const GOAL = "Copy the orders database dump to the migrations bucket";
let server: FakeOpenAi;
let dir: string;
beforeEach(async () => {
  server = await startFakeOpenAi();
  dir = mkdtempSync(join(tmpdir(), "planfile-plan-bounds-"));
});
afterEach(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const cli = (baseURL: string, ...args: string[]) =>
  run(
    process.execPath,
    ["--import", "tsx", "src/plan.ts", "--tools", "test/fixtures/tools", "--state-dir", join(dir, "state"), ...args],
    { env: { ...process.env, OPENAI_API_KEY: "test-key", OPENAI_BASE_URL: baseURL, PLANFILE_MODEL: "fake-model" } },
  ).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );

describe("tsx src/plan.ts --timeout", () => {
  it("stops at the deadline when the endpoint never answers, and suggests a longer one", async () => {
    server.fallback = { hang: true };
    const { code, stdout, stderr } = await cli(server.url, "--timeout", "300ms", GOAL);
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toContain("reason: LLM_FAILED");
    expect(stderr).toContain("did not finish within the 300 ms planning deadline");
    expect(stderr).toContain("raise --timeout");
  });

  it("never suggests a longer timeout for an endpoint where nothing listens", async () => {
    const { code, stderr } = await cli(await refusedUrl(), GOAL);
    expect(code).toBe(1);
    expect(stderr).toContain("connection refused");
    expect(stderr).not.toMatch(/timeout/i);
  });

  it("refuses a duration it cannot read", async () => {
    const { code, stderr } = await cli(server.url, "--timeout", "soon", GOAL);
    expect(code).toBe(2);
    expect(stderr).toContain("--timeout takes a duration such as 90s, 3m or 500ms, not soon");
  });
});

describe("a model that answers the goal cannot be done", () => {
  it("ends planning with reason CANNOT, exit 1, its reason and the missing capability on stderr", async () => {
    server.reply(answer({ cannot: { reason: "No tool can copy between buckets.", missing: "a storage copy tool" } }));
    const { code, stdout, stderr } = await cli(server.url, GOAL);
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toContain("reason: CANNOT");
    expect(stderr).toContain(
      "fake-model says this goal cannot be done with the tools it was shown: No tool can copy between buckets.",
    );
    expect(stderr).toContain("missing: a storage copy tool");
    expect(server.requests).toHaveLength(1);
  });
});
