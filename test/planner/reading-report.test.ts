import { afterAll, describe, expect, it } from "vitest";
import { plan } from "../../src/planner/plan.js";
import { loadMethods } from "../../src/planner/offline/methods.js";
import { formatReport, jsonReport } from "../../src/planner/report.js";
import { sandboxWorlds } from "./sandbox-worlds.js";

const worlds = sandboxWorlds();
afterAll(() => worlds.close());

describe("how a goal was read is reported", () => {
  it("says which values came from the world, not the goal", async () => {
    const goal = "Move the orders DB to eu-west-1";
    const result = await plan(goal, { registry: await worlds.registry(), methods: await loadMethods("tools") });
    expect(result.ok && result.reading).toEqual({
      method: "migrate-database",
      slots: {
        database: { value: "orders", how: "stated" },
        source: { value: "us-east-1", how: "inferred" },
        target: { value: "eu-west-1", how: "stated" },
      },
    });
    expect(formatReport(goal, result).split("\n")[1]).toBe(
      "read as migrate-database: database orders, source us-east-1 (from the world), target eu-west-1",
    );
    expect(jsonReport(goal, result)).toMatchObject({ reading: { method: "migrate-database" } });
  });

  it("adds nothing when the goal said everything", async () => {
    const goal = "Migrate the orders database from us-east-1 to eu-west-1";
    const result = await plan(goal, { registry: await worlds.registry(), methods: await loadMethods("tools") });
    expect(formatReport(goal, result)).toMatch(/^planned 9 steps[^\n]*\n$/);
  });
});
