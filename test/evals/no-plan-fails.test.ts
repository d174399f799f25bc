// The planner's promise over the whole eval suite: a plan it emits runs, or it
// refuses. Every case of the suite (each wording on its fixture, each
// must-refuse goal) and each distinct goal of the suite on every shipped
// fixture is planned offline in a fresh world; every plan that comes out is
// then run for real, risky steps approved, in another fresh world from the
// same fixture, and must succeed.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { evalCases, freshSandbox } from "../../src/evals/index.js";
import { loadMethods, plan, type MethodLibrary } from "../../src/planner/index.js";
import { run } from "../../src/runner/index.js";
import type { Plan } from "../../src/schema/types.generated.js";
import { listFixtures } from "../../tools/sandbox/world/index.js";

const cases = evalCases();
const pairs = new Map<string, { goal: string; fixture: string }>();
const add = (goal: string, fixture: string) => pairs.set(`${fixture}\0${goal}`, { goal, fixture });
for (const c of cases) add(c.goal, c.fixture);
// Wordings of one ask plan alike; their first wording stands for them on the other fixtures.
const asks = [...new Set(cases.map((c) => (c.kind === "scenario" ? c.scenario.goal : c.goal)))];
for (const fixture of listFixtures()) for (const goal of asks) add(goal, fixture);

describe("no plan from the eval suite fails when run", () => {
  it(`holds for ${pairs.size} goal × fixture pairs (${cases.length} eval cases, ${asks.length} asks × ${listFixtures().length} fixtures)`, async () => {
    const methods: MethodLibrary = await loadMethods("tools");
    const ran = new Map<string, string | undefined>();
    const failures: string[] = [];
    let planned = 0;
    const unplanned: string[] = [];
    const ownFixture = new Set(cases.filter((c) => c.kind === "scenario").map((c) => `${c.fixture}\0${c.goal}`));
    for (const { goal, fixture } of pairs.values()) {
      const box = await freshSandbox(fixture);
      let result;
      try {
        result = await plan(goal, { registry: box.registry, methods });
      } finally {
        box.dispose();
      }
      if (!result.ok) {
        if (ownFixture.has(`${fixture}\0${goal}`))
          unplanned.push(`${JSON.stringify(goal)} on ${fixture}: ${result.reason}`);
        continue;
      }
      planned++;
      // The same steps on the same fixture run the same way: run each distinct plan once.
      const key = `${fixture}\0${behaviour(result.plan)}`;
      if (!ran.has(key)) ran.set(key, await runFresh(result.plan, fixture));
      const failed = ran.get(key);
      if (failed) failures.push(`${JSON.stringify(goal)} on ${fixture}: ${failed}`);
    }
    expect(failures).toEqual([]);
    // Not vacuous: every scenario's wording plans on its own fixture, so each of those plans was run.
    expect(unplanned).toEqual([]);
    expect(planned).toBeGreaterThanOrEqual(ownFixture.size);
  }, 600_000);
});

async function runFresh(p: Plan, fixture: string): Promise<string | undefined> {
  const box = await freshSandbox(fixture);
  try {
    const result = await run(p, { registry: box.registry, approve: "all", runId: "no-plan-fails", retryDelayMs: 1 });
    if (result.status === "succeeded") return undefined;
    const at = "failedStep" in result && result.failedStep ? ` at ${result.failedStep}` : "";
    const why = "error" in result && result.error ? `: ${result.error.message}` : "";
    return `the run ended ${result.status}${at}${why}`;
  } finally {
    box.dispose();
  }
}

function behaviour(p: Plan): string {
  return createHash("sha256")
    .update(JSON.stringify([p.steps, p.context]))
    .digest("hex");
}
