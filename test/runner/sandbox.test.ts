// The seed scenario end to end on the sandbox: plan, approve, run, goal reached; then a failure injected at
// each step in turn, after which the world equals the world before the run (call log aside).
import { beforeAll, describe, expect, it } from "vitest";
import { loadRegistry, type Registry } from "../../src/registry/index.js";
import { run, type RunResult } from "../../src/runner/index.js";
import { ToolCallError } from "../../src/errors.js";
import { validatePlanFile } from "../../src/validator/index.js";
import type { Plan } from "../../src/schema/types.generated.js";
import { readWorld, resetWorld, worldWithoutCallLog } from "../../tools/sandbox/world/index.js";
import { tempDir } from "./helpers.js";

const PLAN = "test/fixtures/runner/migrate-orders.yaml";
let plan: Plan;

beforeAll(async () => {
  const validation = await validatePlanFile(PLAN, await loadRegistry({ stateDir: tempDir() }));
  if (!validation.ok) throw new Error(validation.problems.map((p) => p.message).join("\n"));
  plan = validation.plan;
});

/** A fresh sandbox, and a registry whose call for step `failAt` fails before reaching the tool. */
async function sandbox(failAt?: string): Promise<{ stateDir: string; registry: Registry }> {
  const stateDir = tempDir();
  resetWorld(stateDir);
  const registry = await loadRegistry({ stateDir });
  const call = registry.call.bind(registry);
  registry.call = async (name, args, options) => {
    if (failAt && options?.idempotencyKey === `run:${failAt}`) throw new ToolCallError("TOOL_FAILED", name, `${name} failed: injected failure at ${failAt}`);
    return call(name, args, options);
  };
  return { stateDir, registry };
}

describe("seed scenario on the sandbox: migrate orders to eu-west-1", () => {
  it("without approval, runs nothing", async () => {
    const { stateDir, registry } = await sandbox();
    const before = worldWithoutCallLog(readWorld(stateDir));
    const result = await run(plan, { registry, runId: "run" });
    expect(result).toMatchObject({ status: "awaiting-approval", pending: ["freeze-source", "cutover"] });
    expect(worldWithoutCallLog(readWorld(stateDir))).toEqual(before);
  });

  it("approved, reaches the goal: orders-eu holds the data and DNS points at it", async () => {
    const { stateDir, registry } = await sandbox();
    const result = await run(plan, { registry, runId: "run", confirm: async () => ({ approved: true, by: "test" }) });
    expect(result.status).toBe("succeeded");
    const world = readWorld(stateDir);
    expect(world.databases["orders-eu"]).toMatchObject({ region: "eu-west-1" });
    expect(world.dnsZones.internal!.records["orders-db.internal CNAME"]!.value).toBe("orders-eu.eu-west-1.db.sandbox.internal");
  });

  const steps = ["create-target", "freeze-source", "dump", "upload", "restore", "check", "cutover"];
  for (const failAt of steps) {
    it(`a failure at ${failAt} rolls back to the world before the run`, async () => {
      const { stateDir, registry } = await sandbox(failAt);
      const before = worldWithoutCallLog(readWorld(stateDir));
      const result: RunResult = await run(plan, { registry, runId: "run", approve: "all", retryDelayMs: 0 });
      expect(result).toMatchObject({ status: "rolled-back", failedStep: failAt });
      expect(worldWithoutCallLog(readWorld(stateDir))).toEqual(before);
    });
  }
});
