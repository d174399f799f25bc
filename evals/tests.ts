// promptfoo test cases: every wording of every scenario in evals/scenarios/ (graded by every
// metric), and every must-refuse goal in evals/refusals.yaml (graded by `refused`).
import { evalCases, METRICS } from "../src/evals/index.js";
import { assertionExport } from "../src/evals/assertion.js";

export default function tests() {
  return evalCases().map((c) => ({
    description: c.name,
    vars: {
      case: c.name,
      kind: c.kind,
      scenario: c.kind === "scenario" ? c.scenario.name : "refusals",
      variant: c.kind === "scenario" ? c.variant : c.refusal.n,
      goal: c.goal,
      fixture: c.fixture,
    },
    // No var is a list today; this keeps a future one from silently multiplying tests.
    options: { disableVarExpansion: true },
    metadata: { case: c.name, kind: c.kind, fixture: c.fixture },
    assert:
      c.kind === "scenario"
        ? METRICS.map((metric) => ({
            type: "javascript",
            value: `file://evals/assertions.ts:${assertionExport(metric)}`,
            metric,
          }))
        : [{ type: "javascript", value: "file://evals/assertions.ts:refused", metric: "refused" }],
  }));
}
