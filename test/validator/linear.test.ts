// Validation stays linear in the size of a hostile plan: messages name a few known ids, not all of
// them, and reference checking does not walk the whole chain once per reference.
import { describe, expect, it } from "vitest";
import { chainReadingFirst, unknownDependencies } from "../../bench/hostile-plans.js";
import { validatePlanData } from "../../src/validator/index.js";
import { dependencyOracle } from "../../src/validator/rules/graph.js";
import { demoRegistry } from "../support/demo-registry.js";

describe("linear validation", () => {
  it("a message about an unknown step names the 5 closest known steps and a count, not all of them", async () => {
    const registry = await demoRegistry();
    const result = validatePlanData(unknownDependencies(5000), registry);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toHaveLength(5000);
    const first = result.problems[0]!.message;
    expect(first).toMatch(/known steps: (`[^`]+`, ){4}`[^`]+` and 4,995 more/);
    const bytes = result.problems.reduce((n, p) => n + p.message.length, 0);
    expect(bytes).toBeLessThan(5000 * 200);
  });

  it("5,000 steps with a dependency that is not even an id give one short message each, naming it", async () => {
    const result = validatePlanData(unknownDependencies(5000, true), await demoRegistry());
    if (result.ok) throw new Error("expected problems");
    expect(result.problems).toHaveLength(5000);
    expect(result.problems[0]).toMatchObject({ rule: "unknown-dependency", path: ["steps", 0, "dependsOn", 0] });
    expect(result.problems[0]!.message).toMatch(
      /^step `step-0` depends on `Ghost 0`, which is not a step of this plan/,
    );
    expect(result.problems.reduce((n, p) => n + p.message.length, 0)).toBeLessThan(5000 * 200);
  });

  it("suggests the known step a typo was meant to be", async () => {
    const registry = await demoRegistry();
    const p = unknownDependencies(30);
    p.steps[29]!.dependsOn = ["step-1o"];
    const result = validatePlanData(p, registry);
    if (result.ok) throw new Error("expected problems");
    expect(result.problems.at(-1)!.message).toMatch(/known steps: (`[^`]+`, )*`step-10`/);
  });

  it("answers whether each step of a 16,000-step chain depends on the first with a linear number of visits", () => {
    const p = chainReadingFirst(16_000);
    const oracle = dependencyOracle(p);
    for (let i = 1; i < 16_000; i++) expect(oracle(`s${i}`, "s0")).toBe(true);
    expect(oracle("s0", "s15999")).toBe(false);
    expect(oracle.visits()).toBeLessThan(4 * 16_000);
  });

  it("validates the 16,000-step chain that reads the first step everywhere", async () => {
    const result = validatePlanData(chainReadingFirst(16_000), await demoRegistry());
    expect(result.ok ? [] : result.problems.slice(0, 3)).toEqual([]);
  });
});
