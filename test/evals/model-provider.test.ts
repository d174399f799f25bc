// The eval suite's model provider, end to end: `npm run eval --provider openai`
// drives promptfoo → the planner's LLM path → an OpenAI-compatible endpoint,
// here the tests' fake server on 127.0.0.1, and grades what comes back.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { parse } from "yaml";
import { afterEach, describe, expect, it } from "vitest";
import { answer, startFakeOpenAi, type FakeOpenAi } from "../support/fake-openai.js";

const exec = promisify(execFile);
let fake: FakeOpenAi | undefined;
afterEach(async () => fake?.close());

async function evalWithModel(steps: unknown[]) {
  fake = await startFakeOpenAi();
  fake.fallback = answer({ steps });
  const env = { ...process.env, OPENAI_BASE_URL: fake.url, OPENAI_API_KEY: "test-key", PLANFILE_MODEL: "fake-model" };
  // Its own state folder: a test must not share results with a `npm run eval` running beside it.
  const stateDir = mkdtempSync(join(tmpdir(), "planfile-eval-"));
  return exec(
    process.execPath,
    [
      "--import",
      "tsx",
      "src/eval.ts",
      "--provider",
      "openai",
      "--filter",
      "^migrate-orders$",
      "--quiet",
      "--state-dir",
      stateDir,
    ],
    { env },
  ).then(
    (r) => ({ code: 0, stdout: r.stdout }),
    (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
  );
}

const reference = parse(readFileSync("evals/scenarios/migrate-orders/reference.yaml", "utf8")) as {
  riskySteps: string[];
  steps: { id: string; tool: string }[];
};
// A model answers with steps and a per-step `risky` opinion; the planner turns those into `riskySteps`.
const answerSteps = reference.steps.map((s) => ({ ...s, risky: reference.riskySteps.includes(s.id) }));

describe("npm run eval against an OpenAI-compatible endpoint", () => {
  it("passes a model that answers with a plan that works, asking it once per plan", async () => {
    const { code, stdout } = await evalWithModel(answerSteps);
    expect(stdout).toMatch(/provider openai/);
    expect(stdout).toMatch(/^migrate-orders .*PASS$/m);
    expect(code).toBe(0);
    expect(fake!.requests).toHaveLength(1);
    expect(fake!.requests[0]!.model).toBe("fake-model");
    expect(JSON.stringify(fake!.requests[0]!.messages)).toContain(
      "Migrate the orders database from us-east-1 to eu-west-1",
    );
  });

  it("passes a model that flags no step: the planner flags what the tool manifests make risky", async () => {
    const { code, stdout } = await evalWithModel(reference.steps.map((s) => ({ ...s, risky: false })));
    expect(stdout).not.toMatch(/is not in riskySteps/);
    expect(code).toBe(0);
  });

  it("fails a model whose plan calls a tool that does not exist, after the planner's repair attempts", async () => {
    const broken = answerSteps.map((s, i) => (i === 0 ? { ...s, tool: "sandbox.db.teleport" } : s));
    const { code, stdout } = await evalWithModel(broken);
    expect(code).toBe(1);
    expect(stdout).toMatch(/^migrate-orders .*FAIL$/m);
    expect(fake!.requests).toHaveLength(3); // first answer + 2 repairs, each told what was wrong
    expect(JSON.stringify(fake!.requests[1]!.messages)).toContain("sandbox.db.teleport");
  });
});
