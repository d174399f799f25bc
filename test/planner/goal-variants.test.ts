import { readdirSync, readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { plan } from "../../src/planner/plan.js";
import { loadMethods } from "../../src/planner/offline/methods.js";
import { sandboxWorlds } from "./sandbox-worlds.js";

// Every wording in a scenario's `goals:` must plan exactly what its `goal:` plans:
// same method, same steps, same arguments. Only the goal text may differ.
const scenarios = readdirSync("evals/scenarios")
  .sort()
  .map((dir) => {
    const s = parse(readFileSync(`evals/scenarios/${dir}/scenario.yaml`, "utf8")) as {
      goal: string;
      goals?: string[];
      fixture?: string;
    };
    return { dir, goal: s.goal, goals: s.goals ?? [], fixture: s.fixture ?? "default" };
  });

const worlds = sandboxWorlds();
afterAll(() => worlds.close());
const methods = loadMethods("tools");

describe("goal variants in evals/scenarios", () => {
  // Each plan is proven by a dry run on a scratch world: on a busy machine that takes a while.
  it("every shipped goal method has at least 10 wordings, at least 80 in all", { timeout: 600_000 }, async () => {
    const all = scenarios.flatMap((s) => s.goals.map((goal) => ({ goal, fixture: s.fixture })));
    expect(all.length).toBeGreaterThanOrEqual(80);
    const perMethod = new Map<string, number>();
    for (const { goal, fixture } of all) {
      const result = await plan(goal, { registry: await worlds.registry(fixture), methods: await methods });
      const name = result.ok ? result.plan.metadata.planner!.prompt!.split(":")[1]! : "refused";
      perMethod.set(name, (perMethod.get(name) ?? 0) + 1);
    }
    // Methods for real systems plan only against their servers; test/postgres/goals.test.ts holds their wordings.
    const goalMethods = (await methods).methods
      .filter((m) => m.intent && !m.file.endsWith("postgres.methods.yaml"))
      .map((m) => m.name);
    for (const name of goalMethods) expect(perMethod.get(name) ?? 0, name).toBeGreaterThanOrEqual(10);
  });

  for (const s of scenarios.filter((x) => x.goals.length > 0))
    it(`${s.dir}: each of ${s.goals.length} wordings plans the same steps as "${s.goal}"`, {
      timeout: 300_000,
    }, async () => {
      const registry = await worlds.registry(s.fixture);
      const reference = await plan(s.goal, { registry, methods: await methods });
      if (!reference.ok) throw new Error(`${s.goal}: ${reference.message}`);
      for (const goal of s.goals) {
        const result = await plan(goal, { registry, methods: await methods });
        expect(result.ok ? result.plan.steps : `${result.reason}: ${result.message}`, goal).toEqual(
          reference.plan.steps,
        );
        expect(result.ok && result.plan.metadata.planner).toEqual(reference.plan.metadata.planner);
      }
    });
});
