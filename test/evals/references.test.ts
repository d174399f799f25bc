import { describe, expect, it } from "vitest";
import { gradePlan, loadScenarios, referencePlan, registryForValidation } from "../../src/evals/index.js";
import { listFixtures } from "../../tools/sandbox/world/index.js";

// Every scenario's reference plan validates and passes every metric of its own
// scenario: the bar a planner is held to is one a plan can clear.
const scenarios = loadScenarios();

describe("eval scenarios", () => {
  it("there are at least ten, each with a fixture that exists and at least five steps", async () => {
    expect(scenarios.length).toBeGreaterThanOrEqual(10);
    const registry = await registryForValidation();
    for (const s of scenarios) {
      expect(listFixtures()).toContain(s.fixture);
      expect(referencePlan(s, registry).steps.length).toBeGreaterThanOrEqual(5);
    }
  });

  it.each(scenarios.map((s) => [s.name, s] as const))(
    "%s: the reference plan passes every metric",
    async (_name, scenario) => {
      const grade = await gradePlan(scenario.reference.text, scenario);
      const failed = Object.entries(grade.metrics)
        .filter(([, r]) => !r.pass)
        .map(([m, r]) => `${m}: ${r.reason}`);
      expect(failed).toEqual([]);
    },
  );
});
