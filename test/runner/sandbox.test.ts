// The seed scenario end to end on the sandbox: plan, approve, run, goal reached; then a failure injected at
// each step in turn, after which the world equals the world before the run (call log aside).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
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
    if (failAt && options?.idempotencyKey === `run:${failAt}`)
      throw new ToolCallError("TOOL_FAILED", name, `${name} failed: injected failure at ${failAt}`);
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
    expect(world.dnsZones.internal!.records["orders-db.internal CNAME"]!.value).toBe(
      "orders-eu.eu-west-1.db.sandbox.internal",
    );
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

describe("dry run on the sandbox", () => {
  it("executes every step on a throwaway copy of the world, so later steps see real outputs, and changes nothing", async () => {
    const { stateDir, registry } = await sandbox();
    const worldFile = readFileSync(join(stateDir, "sandbox", "world.json"));
    const result = await run(plan, { registry, runId: "dry", dryRun: true });
    if (result.status !== "succeeded") throw new Error(`dry run ended ${result.status}`);
    expect(Object.values(result.steps).map((s) => s.status)).toEqual(plan.steps.map(() => "completed"));
    expect(readFileSync(join(stateDir, "sandbox", "world.json"))).toEqual(worldFile);
    expect(readdirSync(join(stateDir, "dry-runs"))).toEqual([]);
    expect(existsSync(join(stateDir, "runs", "dry"))).toBe(false);
  });

  it("still skips write tools that keep no local state and cannot dry-run", async () => {
    const { registry } = await sandbox();
    const calls: unknown[] = [];
    registry.define({
      name: "ext.page",
      description: "Pages the on-call engineer (a real, external effect).",
      effect: "write",
      idempotent: false,
      input: { type: "object" },
      output: { type: "object" },
      handler: (args) => (calls.push(args), {}),
    });
    const paged = {
      ...plan,
      steps: [
        ...plan.steps,
        {
          id: "page",
          tool: "ext.page",
          args: {},
          expectedOutcome: "On-call knows.",
          rollback: { none: "a page cannot be unsent" },
        },
      ],
    } as Plan;
    const result = await run(paged, { registry, runId: "dry2", dryRun: true });
    if (!("steps" in result)) throw new Error(`dry run ended ${result.status}`);
    expect(result.steps.page).toMatchObject({ status: "skipped", reason: expect.stringMatching(/cannot dry-run/) });
    expect(calls).toEqual([]);
  });
});
