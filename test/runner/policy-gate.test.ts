// The runner validates before it runs, with the same risk rules as the planner: a hand-written plan that
// under-flags risk or carries a foreign rollback never runs, with no TTY, with or without --yes.
// A rollback that passes an irreversible step ends with its own status and exit code.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it, vi } from "vitest";
import { loadRegistry } from "../../src/registry/index.js";
import { run } from "../../src/runner/index.js";
import type { Plan } from "../../src/schema/types.generated.js";
import { readWorld, resetWorld, worldWithoutCallLog } from "../../tools/sandbox/world/index.js";
import { planFrom, underFlagged, writePlan } from "../policy/helpers.js";
import { tempDir } from "./helpers.js";

const exec = promisify(execFile);
// Each test starts the CLI once or twice (a few seconds each); a loaded CI machine needs room.
vi.setConfig({ testTimeout: 120_000 });

/** `tsx src/run.ts` as CI runs it: stdin is not a TTY. */
async function runCli(stateDir: string, ...args: string[]) {
  return exec("npx", ["tsx", "src/run.ts", "--state-dir", stateDir, ...args], { env: { ...process.env } }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
}

function sandbox(fixture?: string): string {
  const stateDir = tempDir("planfile-policy-gate-");
  resetWorld(stateDir, fixture);
  return stateDir;
}

/** The issue 14 plan: a read step whose rollback deletes inventory, then a step whose expect is false. */
function readStepDeletesInventory(): Plan {
  const plan = planFrom();
  plan.steps = [
    {
      id: "list",
      tool: "sandbox.db.list",
      args: {},
      expectedOutcome: "Databases are listed.",
      rollback: { tool: "sandbox.db.delete", args: { name: "inventory" } },
    },
    {
      id: "fail",
      tool: "sandbox.db.describe",
      dependsOn: ["list"],
      args: { name: "orders" },
      expectedOutcome: "Never true.",
      expect: "outputs.name == 'nope'",
    },
  ];
  plan.riskySteps = [];
  plan.requiresConfirmation = false;
  return plan;
}

describe("run.ts refuses an unsafe hand-written plan before anything runs", () => {
  it("issue 11: every step risky: false — nothing is frozen, DNS is not repointed (exit 5)", async () => {
    const stateDir = sandbox();
    const before = worldWithoutCallLog(readWorld(stateDir));
    const file = writePlan(stateDir, "under-flagged.yaml", underFlagged(planFrom()));
    for (const extra of [[], ["--yes"]]) {
      const { code, stderr } = await runCli(stateDir, file, ...extra);
      expect(code).toBe(5);
      expect(stderr).toContain("step `freeze` calls sandbox.db.setReadOnly, which its manifest declares risky");
      expect(stderr).toContain("[tool-risk]");
      expect(stderr).toContain("the plan is invalid; nothing ran");
    }
    expect(worldWithoutCallLog(readWorld(stateDir))).toEqual(before);
  });

  it("issue 14: a destructive rollback on a read step — inventory is never deleted (exit 5)", async () => {
    const stateDir = sandbox();
    const file = writePlan(stateDir, "read-rollback.yaml", readStepDeletesInventory());
    for (const extra of [[], ["--yes"]]) {
      const { code, stderr } = await runCli(stateDir, file, ...extra);
      expect(code).toBe(5);
      expect(stderr).toContain("[rollback-on-read]");
    }
    expect(readWorld(stateDir).databases.inventory).toBeDefined();
  });

  it("the library refuses it too: run() validates with the registry's policy", async () => {
    const stateDir = sandbox();
    const registry = await loadRegistry({ stateDir, policyFile: false });
    const result = await run(readStepDeletesInventory(), { registry, approve: "all" });
    expect(result.status).toBe("invalid");
    expect(result.status === "invalid" && result.problems.map((p) => p.rule)).toEqual(["rollback-on-read"]);
    expect(readWorld(stateDir).databases.inventory).toBeDefined();
  });

  it("an operator policy given by PLANFILE_POLICY is applied by run.ts", async () => {
    const stateDir = sandbox();
    const policy = join(stateDir, "policy.yaml");
    const { writeFileSync } = await import("node:fs");
    writeFileSync(
      policy,
      "apiVersion: planfile/v1\nkind: Policy\nrules:\n  - name: snapshots\n    when: tool == 'sandbox.db.snapshot'\n    reason: snapshots cost money\n",
    );
    const file = writePlan(stateDir, "plan.yaml", planFrom());
    const { code, stderr } = await exec("npx", ["tsx", "src/run.ts", "--state-dir", stateDir, file], {
      env: { ...process.env, PLANFILE_POLICY: policy },
    }).then(
      () => ({ code: 0, stderr: "" }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(code).toBe(5);
    expect(stderr).toContain("policy rule `snapshots`");
    expect(stderr).toContain("snapshots cost money; add `snapshot` to riskySteps  [policy-risk]");
  });
});

describe("a rollback that passes an irreversible step says so, with its own exit code", () => {
  /** The decommission reference, plus a last step that fails, so everything before it is rolled back. */
  function decommissionThenFail(): Plan {
    const plan = planFrom("evals/scenarios/decommission-service/reference.yaml");
    plan.steps.push({
      id: "fail",
      tool: "sandbox.service.list",
      dependsOn: ["delete-instance"],
      args: {},
      expectedOutcome: "Never true.",
      expect: "outputs.services.size() < 0",
    });
    return plan;
  }

  it("ends partially-rolled-back, naming what could not be undone, never 'rolled back' (exit 8)", async () => {
    const stateDir = sandbox("decommission");
    const file = writePlan(stateDir, "decommission.yaml", decommissionThenFail());
    // The run's report is for people: on stderr (stdout carries only --json data).
    const { code, stderr: report } = await runCli(stateDir, file, "--yes");
    expect(code).toBe(8);
    expect(report).toContain("  - delete-service: CANNOT BE UNDONE: a deleted service cannot be restored");
    expect(report).toContain("failed; PARTIALLY ROLLED BACK: step fail failed");
    expect(report).toContain("undone: delete-instance, delete-record, log-decommission");
    expect(report).toContain(
      "cannot be undone (these changes stay):\n  delete-service (sandbox.service.delete): a deleted service cannot be restored; the change log records what it ran",
    );
    expect(report).not.toMatch(/^(failed and )?rolled back/m);
    const world = readWorld(stateDir);
    expect(world.services["legacy-reports"]).toBeUndefined(); // gone for good, as the plan said
    expect(world.instances["reports-1"]).toBeDefined(); // undone
  });

  it("the library result carries the status and the list", async () => {
    const stateDir = sandbox("decommission");
    const registry = await loadRegistry({ stateDir, policyFile: false });
    const result = await run(decommissionThenFail(), { registry, approve: "all", retryDelayMs: 1 });
    expect(result).toMatchObject({
      status: "partially-rolled-back",
      failedStep: "fail",
      irreversible: [{ step: "delete-service", tool: "sandbox.service.delete" }],
    });
  });

  it("tsx src/rollback.ts on a finished run says what it could not undo (exit 8)", async () => {
    const stateDir = sandbox("decommission");
    const file = writePlan(
      stateDir,
      "decommission.yaml",
      planFrom("evals/scenarios/decommission-service/reference.yaml"),
    );
    const ran = await runCli(stateDir, file, "--yes", "--run-id", "done");
    expect(ran.code).toBe(0);
    // Without a terminal, rollback.ts undoes only with --yes; its report is on stderr.
    const undo = await exec("npx", ["tsx", "src/rollback.ts", "--state-dir", stateDir, "--yes", "done"]).then(
      (r) => ({ code: 0, stderr: r.stderr }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(undo.code).toBe(8);
    expect(undo.stderr).toContain("PARTIALLY ROLLED BACK: rollback requested by the operator");
    expect(undo.stderr).toContain("  delete-service (sandbox.service.delete): a deleted service cannot be restored");
  }, 120_000);

  it("a rollback with nothing irreversible still ends rolled-back (exit 1)", async () => {
    const stateDir = sandbox();
    const plan = planFrom();
    plan.steps = [plan.steps.find((s) => s.id === "snapshot")!];
    plan.steps.push({
      id: "fail",
      tool: "sandbox.db.describe",
      dependsOn: ["snapshot"],
      args: { name: "orders" },
      expectedOutcome: "Never true.",
      expect: "outputs.name == 'nope'",
    });
    plan.riskySteps = [];
    plan.requiresConfirmation = false;
    const { code, stderr } = await runCli(stateDir, writePlan(stateDir, "p.yaml", plan));
    expect(code).toBe(1);
    expect(stderr).toMatch(/^failed and rolled back: step fail failed/m);
  });
});
