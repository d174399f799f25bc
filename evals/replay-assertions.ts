// The replay eval's one assertion for a bad answer: the planner caught it, as its recording expects.
import { join } from "node:path";
import { loadScenario, riskyFlagged } from "../src/evals/index.js";
import { registryForValidation } from "../src/evals/grade.js";
import { validatePlanText } from "../src/validator/index.js";
import { loadRecording } from "../test/support/replay-openai.js";

interface Context {
  vars: Record<string, unknown>;
  providerResponse?: { metadata?: Record<string, unknown> };
}

export async function caught(output: string, context: Context) {
  const recording = loadRecording(String(context.vars.recording));
  const meta = context.providerResponse?.metadata ?? {};
  const expect = recording.expect;
  const said = `${String(meta.reason)}: ${String(meta.message)}`;
  if (expect.outcome === "refused") {
    const pass =
      output === "" && meta.ok === false && meta.reason === expect.reason && String(meta.message).includes(expect.says);
    return {
      pass,
      score: pass ? 1 : 0,
      reason: pass
        ? `caught: ${said}`
        : output
          ? `a plan was written from a ${recording.case} answer`
          : `refused, but not as expected (${expect.reason}, "${expect.says}"): ${said}`,
    };
  }
  if (expect.outcome === "risk-flagged") {
    if (output === "") return { pass: true, score: 1, reason: `caught: ${said}` };
    const validated = validatePlanText(output, "<replayed>", await registryForValidation());
    const scenario = loadScenario(join("evals/scenarios", recording.scenario));
    const r = riskyFlagged(validated.ok ? validated.plan : undefined, scenario);
    return { pass: r.pass, score: r.pass ? 1 : 0, reason: r.pass ? `risk raised by policy: ${r.reason}` : r.reason };
  }
  return { pass: false, score: 0, reason: `${recording.case} expects a plan; this assertion is for bad answers` };
}
