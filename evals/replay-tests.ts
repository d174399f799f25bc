// promptfoo tests for the replay eval: one per recording in evals/recordings/. A well-formed answer is graded
// on every metric like any plan; a bad one passes only if the planner caught it (evals/replay-assertions.ts).
import { METRICS } from "../src/evals/index.js";
import { assertionExport } from "../src/evals/assertion.js";
import { AWAITING_POLICY, loadRecording, recordingFiles } from "../test/support/replay-openai.js";

export function replayCases() {
  return recordingFiles()
    .map((file) => ({ file, recording: loadRecording(file) }))
    .filter(({ recording: r }) => !AWAITING_POLICY.has(`${r.scenario}/${r.case}`));
}

export default function tests() {
  return replayCases().map(({ file, recording: r }) => ({
    description: `${r.scenario}/${r.case}`,
    // A good answer is graded against its scenario by name; a bad one is reported under its case.
    vars: {
      scenario: r.expect.outcome === "plan" ? r.scenario : `${r.scenario}/${r.case}`,
      goal: r.goal,
      recording: file,
    },
    options: { disableVarExpansion: true },
    metadata: { scenario: r.scenario, case: r.case },
    assert:
      r.expect.outcome === "plan"
        ? METRICS.map((metric) => ({
            type: "javascript",
            value: `file://evals/assertions.ts:${assertionExport(metric)}`,
            metric,
          }))
        : [{ type: "javascript", value: "file://evals/replay-assertions.ts:caught", metric: "caught" }],
  }));
}
