// Recorded conversations, replayed over real HTTP from evals/recordings/:
// a well-formed answer becomes a plan that executes and reaches the goal;
// every bad answer is caught before a plan is written.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshSandbox } from "../../src/evals/sandbox.js";
import { gradePlan, loadScenario, riskyFlagged } from "../../src/evals/index.js";
import { createOpenAiLlm } from "../../src/planner/llm.js";
import { loadMethods, type MethodLibrary } from "../../src/planner/offline/methods.js";
import { plan } from "../../src/planner/plan.js";
import {
  AWAITING_POLICY,
  loadRecording,
  recordingFiles,
  startReplay,
  type Recording,
} from "../support/replay-openai.js";

let root: string;
let methods: MethodLibrary;
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "planfile-replay-"));
  methods = await loadMethods("tools");
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function replay(recording: Recording) {
  const server = await startReplay(recording);
  const box = await freshSandbox(recording.fixture, root);
  try {
    const llm = createOpenAiLlm({ apiKey: "k", baseURL: server.url, model: recording.model, retries: 0 });
    const result = await plan(recording.goal, { registry: box.registry, llm, methods });
    return { result, requests: server.requests.length };
  } finally {
    await server.close();
    await box.registry.close();
    box.dispose();
  }
}

const files = recordingFiles();

describe("the shipped recordings", () => {
  it("cover seven kinds of answer for at least five scenarios", () => {
    const byScenario = new Map<string, Set<string>>();
    for (const f of files) {
      const r = loadRecording(f);
      byScenario.set(r.scenario, (byScenario.get(r.scenario) ?? new Set()).add(r.case));
    }
    const kinds = ["well-formed", "under-flagged", "wrong-rollback", "invented-tool", "cannot", "truncated", "refusal"];
    const complete = [...byScenario].filter(([, cases]) => kinds.every((k) => cases.has(k)));
    expect(complete.length).toBeGreaterThanOrEqual(5);
  });
});

describe.each(files.map((f) => [f.replace(/^evals\/recordings\//, ""), f]))("replaying %s", (_name, file) => {
  const recording = loadRecording(file);
  const expectation = recording.expect;

  if (expectation.outcome === "plan") {
    it("writes a plan that executes, reaches the goal and passes every eval metric", async () => {
      const { result } = await replay(recording);
      if (!result.ok) throw new Error(`expected a plan, got ${result.reason}: ${result.message}`);
      const grade = await gradePlan(result.yaml, loadScenario(join("evals/scenarios", recording.scenario)), { root });
      const failed = Object.entries(grade.metrics).filter(([, m]) => !m.pass);
      expect(failed.map(([name, m]) => `${name}: ${m.reason}`)).toEqual([]);
    });
    return;
  }

  if (AWAITING_POLICY.has(`${recording.scenario}/${recording.case}`)) {
    it("is not caught yet: a plan is still written (the policy rules close this)", async () => {
      const { result } = await replay(recording);
      expect(result.ok).toBe(true);
      if (result.ok && expectation.outcome === "risk-flagged") {
        const scenario = loadScenario(join("evals/scenarios", recording.scenario));
        expect(riskyFlagged(result.plan, scenario).pass).toBe(false);
      }
    });
    return;
  }

  if (expectation.outcome === "risk-flagged") {
    it("writes no plan that leaves a risky action unflagged", async () => {
      const { result } = await replay(recording);
      if (!result.ok) return;
      const scenario = loadScenario(join("evals/scenarios", recording.scenario));
      expect(riskyFlagged(result.plan, scenario)).toMatchObject({ pass: true });
    });
    return;
  }

  it(`is caught: no plan, reason ${expectation.reason}${expectation.code ? ` (${expectation.code})` : ""}`, async () => {
    const { result } = await replay(recording);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toBe(expectation.reason);
    if (expectation.code) expect(result.code).toBe(expectation.code);
    expect(result.message).toContain(expectation.says);
  });
});
