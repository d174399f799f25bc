import { describe, expect, it } from "vitest";
import { diffPlans, type Change } from "../../src/review/diff.js";
import type { Plan } from "../../src/schema/types.generated.js";

const base = (): Plan => ({
  apiVersion: "planfile/v1",
  kind: "Plan",
  metadata: { name: "migrate", goal: "Copy the dump", description: "prose" },
  context: [
    { id: "source", tool: "demo.db.describe", args: { name: "orders" }, output: { region: "us-east-1", tags: ["a"] } },
  ],
  requiresConfirmation: true,
  riskySteps: ["cleanup"],
  steps: [
    {
      id: "dump",
      tool: "demo.db.dump",
      args: { database: "orders", opts: { level: 1 } },
      expectedOutcome: "dumped",
      expect: "outputs.bytes > 0",
      rollback: { tool: "demo.storage.delete", args: { path: "p" } },
    },
    { id: "upload", tool: "demo.storage.put", dependsOn: ["dump"], args: { bucket: "m" }, expectedOutcome: "uploaded" },
    { id: "notify", tool: "demo.chat.post", args: { text: "hi" }, expectedOutcome: "posted" },
    {
      id: "cleanup",
      tool: "demo.storage.delete",
      dependsOn: ["upload"],
      args: { path: "p" },
      expectedOutcome: "gone",
      rollback: { none: "temporary copy" },
    },
  ],
});

/** Applies `edit` to a fresh copy of the base plan and diffs base → edited. */
function diffAfter(edit: (p: Plan) => void): Change[] {
  const after = base();
  edit(after);
  return diffPlans(base(), after);
}
const step = (p: Plan, id: string) => p.steps.find((s) => s.id === id)!;

describe("diffPlans", () => {
  it("finds nothing when only prose, key order or formatting changed", () => {
    expect(
      diffAfter((p) => {
        p.metadata.description = "other prose";
        step(p, "dump").description = "explains";
        step(p, "dump").args = { opts: { level: 1 }, database: "orders" };
      }),
    ).toEqual([]);
  });

  it("reports a changed goal and name", () => {
    expect(diffAfter((p) => (p.metadata.goal = "Copy it twice"))).toEqual([
      { kind: "metadata-changed", field: "goal", old: "Copy the dump", new: "Copy it twice" },
    ]);
    expect(diffAfter((p) => (p.metadata.name = "m2"))).toEqual([
      { kind: "metadata-changed", field: "name", old: "migrate", new: "m2" },
    ]);
  });

  it("reports requiresConfirmation flipping", () => {
    expect(diffAfter((p) => (p.requiresConfirmation = false))).toEqual([
      { kind: "confirmation-changed", old: true, new: false },
    ]);
  });

  it("reports context entries added, removed and changed per path", () => {
    expect(diffAfter((p) => p.context!.push({ id: "more", tool: "demo.db.describe", args: {}, output: {} }))).toEqual([
      { kind: "context-added", id: "more", tool: "demo.db.describe" },
    ]);
    expect(diffAfter((p) => (p.context = []))).toEqual([
      { kind: "context-removed", id: "source", tool: "demo.db.describe" },
    ]);
    expect(diffAfter((p) => (p.context![0]!.output = { region: "eu-west-1", tags: ["a", "b"] }))).toEqual([
      {
        kind: "context-changed",
        id: "source",
        field: "output",
        changes: [
          { path: ["region"], old: "us-east-1", new: "eu-west-1" },
          { path: ["tags", 1], new: "b" },
        ],
      },
    ]);
    expect(diffAfter((p) => (p.context![0]!.tool = "demo.db.list"))).toEqual([
      {
        kind: "context-changed",
        id: "source",
        field: "tool",
        changes: [{ path: [], old: "demo.db.describe", new: "demo.db.list" }],
      },
    ]);
  });

  it("reports an added step with its dependencies and risk, and a removed step", () => {
    const added = diffAfter((p) => {
      p.steps.push({
        id: "verify",
        tool: "demo.storage.get",
        dependsOn: ["upload"],
        args: {},
        expectedOutcome: "same bytes",
      });
      p.riskySteps.push("verify");
    });
    expect(added).toEqual([
      { kind: "step-added", id: "verify", tool: "demo.storage.get", risky: true, dependsOn: ["upload"] },
    ]);
    const removed = diffAfter((p) => (p.steps = p.steps.filter((s) => s.id !== "notify") as Plan["steps"]));
    expect(removed).toEqual([{ kind: "step-removed", id: "notify", tool: "demo.chat.post", risky: false }]);
  });

  it("treats a renamed step as removed + added", () => {
    const kinds = diffAfter((p) => (step(p, "notify").id = "announce")).map((c) => c.kind);
    expect(kinds).toEqual(["step-removed", "step-added"]);
  });

  it("reports a change of run order among the same steps", () => {
    // notify has no dependencies: first in the file, it runs before dump.
    const changes = diffAfter((p) => p.steps.unshift(p.steps.splice(2, 1)[0]!));
    expect(changes).toEqual([
      {
        kind: "steps-reordered",
        scope: "run",
        old: ["dump", "notify", "upload", "cleanup"],
        new: ["notify", "dump", "upload", "cleanup"],
      },
    ]);
  });

  it("reports a file-order-only move separately from a run-order change", () => {
    const changes = diffAfter((p) => p.steps.push(p.steps.splice(2, 1)[0]!));
    expect(changes).toEqual([
      {
        kind: "steps-reordered",
        scope: "file",
        old: ["dump", "upload", "notify", "cleanup"],
        new: ["dump", "upload", "cleanup", "notify"],
      },
    ]);
  });

  it("reports a changed tool", () => {
    expect(diffAfter((p) => (step(p, "upload").tool = "demo.storage.copy"))).toEqual([
      { kind: "tool-changed", step: "upload", old: "demo.storage.put", new: "demo.storage.copy" },
    ]);
  });

  it("reports args changed per path, including added and removed keys", () => {
    expect(diffAfter((p) => (step(p, "dump").args = { database: "users", opts: { level: 9 }, extra: true }))).toEqual([
      {
        kind: "args-changed",
        step: "dump",
        changes: [
          { path: ["database"], old: "orders", new: "users" },
          { path: ["extra"], new: true },
          { path: ["opts", "level"], old: 1, new: 9 },
        ],
      },
    ]);
    expect(diffAfter((p) => (step(p, "dump").args = { database: "orders" }))).toEqual([
      { kind: "args-changed", step: "dump", changes: [{ path: ["opts"], old: { level: 1 } }] },
    ]);
  });

  it("reports expectedOutcome and expect changes", () => {
    expect(
      diffAfter((p) => {
        step(p, "dump").expectedOutcome = "dumped and checked";
        delete step(p, "dump").expect;
      }),
    ).toEqual([
      { kind: "outcome-changed", step: "dump", field: "expectedOutcome", old: "dumped", new: "dumped and checked" },
      { kind: "outcome-changed", step: "dump", field: "expect", old: "outputs.bytes > 0" },
    ]);
  });

  it("reports a step entering and leaving riskySteps", () => {
    expect(diffAfter((p) => (p.riskySteps = ["upload"]))).toEqual([
      { kind: "risk-changed", step: "upload", risky: true },
      { kind: "risk-changed", step: "cleanup", risky: false },
    ]);
  });

  it("reports rollback changes: tool call → none, args, added", () => {
    expect(diffAfter((p) => (step(p, "dump").rollback = { none: "nothing" }))).toEqual([
      {
        kind: "rollback-changed",
        step: "dump",
        old: { tool: "demo.storage.delete", args: { path: "p" } },
        new: { none: "nothing" },
      },
    ]);
    expect(
      diffAfter((p) => (step(p, "upload").rollback = { tool: "demo.storage.delete", args: { key: "k" } })),
    ).toEqual([{ kind: "rollback-changed", step: "upload", new: { tool: "demo.storage.delete", args: { key: "k" } } }]);
  });

  it("reports dependency edges added and removed between existing steps", () => {
    expect(diffAfter((p) => (step(p, "cleanup").dependsOn = ["upload", "notify"]))).toEqual([
      { kind: "dependency-added", from: "notify", to: "cleanup" },
    ]);
    // Without the edge, cleanup may run before upload: the run order changes too.
    expect(diffAfter((p) => delete step(p, "cleanup").dependsOn)).toEqual([
      {
        kind: "steps-reordered",
        scope: "run",
        old: ["dump", "notify", "upload", "cleanup"],
        new: ["dump", "notify", "cleanup", "upload"],
      },
      { kind: "dependency-removed", from: "upload", to: "cleanup" },
    ]);
  });

  it("reports timeout and retry changes", () => {
    expect(diffAfter((p) => (step(p, "upload").retries = 3))).toEqual([
      { kind: "limits-changed", step: "upload", field: "retries", new: 3 },
    ]);
  });

  it("shows a new plan as every step added, and a deleted one as every step removed", () => {
    const added = diffPlans(undefined, base());
    expect(added.filter((c) => c.kind === "step-added").map((c) => (c as { id: string }).id)).toEqual([
      "dump",
      "upload",
      "notify",
      "cleanup",
    ]);
    expect(added.some((c) => c.kind === "steps-reordered" || c.kind === "dependency-added")).toBe(false);
    const removed = diffPlans(base(), undefined);
    expect(removed.filter((c) => c.kind === "step-removed")).toHaveLength(4);
  });
});
