import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { answer, startFakeOpenAi, type FakeOpenAi } from "../support/fake-openai.js";

const run = promisify(execFile);
const GOAL = "Copy the orders database dump to the migrations bucket";
const good = {
  steps: [
    { id: "dump", tool: "demo.db.dump", args: { database: "orders" }, expectedOutcome: "A dump exists." },
    {
      id: "upload",
      tool: "demo.storage.put",
      dependsOn: ["dump"],
      args: { bucket: "migrations", file: "${{ steps.dump.outputs.path }}" },
      expectedOutcome: "Uploaded.",
    },
  ],
};

let server: FakeOpenAi;
let dir: string;
beforeEach(async () => {
  server = await startFakeOpenAi();
  dir = mkdtempSync(join(tmpdir(), "planfile-plan-cli-"));
});
afterEach(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const cli = (...args: string[]) =>
  run("npx", ["tsx", "src/plan.ts", "--tools", "test/fixtures/tools", "--state-dir", join(dir, "state"), ...args], {
    env: {
      ...process.env,
      OPENAI_API_KEY: "test-key",
      OPENAI_BASE_URL: server.url,
      PLANFILE_MODEL: "fake-model",
      PLANFILE_LLM_TIMEOUT_MS: "20000",
    },
  }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );

describe("tsx src/plan.ts with a model endpoint", () => {
  it("prints the validated plan on stdout", async () => {
    server.reply(answer(good));
    const { code, stdout, stderr } = await cli(GOAL);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^# planfile plan — Copy the orders database dump/);
    expect(stdout).toMatch(/planner:\s+\{?\s*name: llm,?\s+model: fake-model,?\s+prompt: decompose@2,?\s+attempts: 1/);
    expect(stderr).toMatch(
      /planned 2 steps, none risky, by llm, fake-model, decompose@2 in \d+ ms \(context: 0 reads; 1 model call, \d+ ms\)/,
    );
  });

  it("on failure prints nothing, writes no file (not even a temp file) and explains each attempt", async () => {
    const bad = answer({ steps: [{ ...good.steps[0], tool: "demo.db.dmp" }] });
    server.reply(bad, bad, bad);
    const out = join(dir, "plans", "x.yaml");
    const { code, stdout, stderr } = await cli(GOAL, "-o", out, "--max-repairs", "1");
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(existsSync(out)).toBe(false);
    expect(existsSync(join(dir, "plans")) ? readdirSync(join(dir, "plans")) : []).toEqual([]);
    expect(stderr).toContain("reason: INVALID_PLAN");
    expect(stderr).toContain("attempt 1 (decompose@2): 1 problem");
    expect(stderr).toContain("attempt 2 (repair@2): 1 problem");
    expect(stderr).toContain(
      "steps[0].tool: step `dump` uses unknown tool `demo.db.dmp`; did you mean `demo.db.dump`?",
    );
  });

  it("gives a machine report with --json", async () => {
    server.reply({ status: 429 }, answer(good));
    const out = join(dir, "plan.yaml");
    const { code, stdout } = await cli(GOAL, "--json", "-o", out);
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({
      ok: true,
      output: out,
      digest: expect.stringMatching(/^sha256:/),
      stats: { planner: "llm", llmCalls: 1 },
    });
    expect(report.attempts).toHaveLength(1);
    expect(readFileSync(out, "utf8")).toContain("kind: Plan");
  });
});
