// Recording a model run into a replay fixture, end to end: `PLANFILE_RECORD=<dir> npm run eval -- --provider openai`
// against an OpenAI-compatible endpoint (here the tests' fake server) writes <dir>/<scenario>/<case>.json, and
// replaying that file gives the same plan without the endpoint.
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { parse } from "yaml";
import { afterAll, describe, expect, it } from "vitest";
import { freshSandbox } from "../../src/evals/sandbox.js";
import { createOpenAiLlm } from "../../src/planner/llm.js";
import { loadMethods } from "../../src/planner/offline/methods.js";
import { plan } from "../../src/planner/plan.js";
import { answer, startFakeOpenAi } from "../support/fake-openai.js";
import { loadRecording, startReplay } from "../support/replay-openai.js";

const exec = promisify(execFile);
const scratch = mkdtempSync(join(tmpdir(), "planfile-record-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const reference = parse(readFileSync("evals/scenarios/migrate-orders/reference.yaml", "utf8")) as {
  riskySteps: string[];
  steps: { id: string; tool: string }[];
};
const steps = reference.steps.map((s) => ({ ...s, risky: reference.riskySteps.includes(s.id) }));

describe("PLANFILE_RECORD", () => {
  it("records each conversation of an eval run as a fixture that replays to the same plan", async () => {
    const fake = await startFakeOpenAi();
    fake.fallback = answer({ steps });
    const recordings = join(scratch, "recordings");
    try {
      await exec(
        process.execPath,
        [
          "--import",
          "tsx",
          "src/eval.ts",
          ...["--provider", "openai", "--filter", "^migrate-orders$", "--quiet"],
          ...["--state-dir", join(scratch, "state")],
        ],
        {
          env: {
            ...process.env,
            OPENAI_BASE_URL: fake.url,
            OPENAI_API_KEY: "test-key",
            PLANFILE_MODEL: "fake-model",
            PLANFILE_RECORD: recordings,
            PLANFILE_RECORD_CASE: "fake-run",
          },
        },
      );
    } finally {
      await fake.close();
    }
    const file = join(recordings, "migrate-orders", "fake-run.json");
    expect(existsSync(file)).toBe(true);
    const recording = loadRecording(file);
    expect(recording).toMatchObject({
      scenario: "migrate-orders",
      case: "fake-run",
      goal: "Migrate the orders database from us-east-1 to eu-west-1",
      model: "fake-model",
      expect: { outcome: "plan" },
    });
    expect(recording.exchanges).toHaveLength(1);
    expect(JSON.stringify(recording.exchanges[0]!.request)).toContain("Migrate the orders database");
    expect(JSON.stringify(recording)).not.toContain("test-key");

    // Offline now: the recording alone drives the planner to the same steps.
    const replay = await startReplay(recording);
    const box = await freshSandbox(recording.fixture, scratch);
    try {
      const llm = createOpenAiLlm({ apiKey: "k", baseURL: replay.url, model: recording.model, retries: 0 });
      const result = await plan(recording.goal, { registry: box.registry, llm, methods: await loadMethods("tools") });
      expect(result.ok && result.plan.steps.map((s) => `${s.id}:${s.tool}`)).toEqual(
        steps.map((s) => `${s.id}:${s.tool}`),
      );
    } finally {
      await replay.close();
      await box.registry.close();
      box.dispose();
    }
  }, 180_000);
});
