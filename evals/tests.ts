// promptfoo test cases, one per scenario in evals/scenarios/, each graded by every metric.
import { loadScenarios, METRICS } from "../src/evals/index.js";
import { assertionExport } from "../src/evals/assertion.js";

export default function tests() {
  return loadScenarios().map((s) => ({
    description: s.name,
    vars: { scenario: s.name, goal: s.goal, fixture: s.fixture },
    // No var is a list today; this keeps a future one from silently multiplying tests.
    options: { disableVarExpansion: true },
    metadata: { scenario: s.name, fixture: s.fixture },
    assert: METRICS.map((metric) => ({
      type: "javascript",
      value: `file://evals/assertions.ts:${assertionExport(metric)}`,
      metric,
    })),
  }));
}
