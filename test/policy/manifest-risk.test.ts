// Risk comes from the tool manifests, not from whoever wrote the plan: a plan that under-flags is invalid.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { finish } from "../../src/planner/judge.js";
import type { DraftStep } from "../../src/planner/normalize.js";
import { problemsOf, planFrom, sandboxRegistry, underFlagged } from "./helpers.js";

const envelope = { goal: "Migrate orders", context: [], planner: { name: "llm" }, now: new Date(0) };

describe("every tool manifest declares the risk of a step that calls it", () => {
  const manifests = readdirSync("tools", { recursive: true, encoding: "utf8" }).filter((f) =>
    f.endsWith(".tools.yaml"),
  );
  it.each(manifests)("%s", (file) => {
    const set = parse(readFileSync(join("tools", file), "utf8")) as {
      tools: { name: string; effect: string; risk?: { risky: boolean; reason: string } }[];
    };
    for (const tool of set.tools) {
      expect(tool.risk, tool.name).toBeDefined();
      if (tool.effect === "destructive") expect(tool.risk!.risky, tool.name).toBe(true);
    }
  });
});

describe("a plan that under-flags risk fails validation, naming why", () => {
  it("the issue's answer: every step risky: false, so no confirmation (freeze and cutover ran unasked)", async () => {
    const problems = problemsOf(underFlagged(planFrom()), await sandboxRegistry());
    expect(problems.map((p) => p.rule)).toEqual(["tool-risk", "tool-risk"]);
    expect(problems[0]!.message).toContain(
      "step `freeze` calls sandbox.db.setReadOnly, which its manifest declares risky",
    );
    expect(problems[0]!.message).toContain("add `freeze` to riskySteps");
    expect(problems[1]!.message).toContain("step `cutover` calls sandbox.dns.upsert");
    // Located at the step's tool, so an editor jumps there.
    expect(problems[0]).toMatchObject({ line: expect.any(Number), col: 11 });
  });

  it("leaving out one of two risky steps names only that one", async () => {
    const plan = planFrom();
    plan.riskySteps = ["freeze"];
    const problems = problemsOf(plan, await sandboxRegistry());
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toContain("`cutover`");
  });

  it("a destructive step is risky whatever its manifest's risk says", async () => {
    const plan = planFrom("plans/rotate-leaked-credential.yaml");
    plan.riskySteps = ["revoke-leaked"];
    const problems = problemsOf(plan, await sandboxRegistry());
    expect(problems).toEqual([
      expect.objectContaining({
        rule: "destructive-not-risky",
        message: expect.stringContaining("step `delete-leaked-key` uses destructive tool sandbox.iam.deleteAccessKey"),
      }),
    ]);
  });

  it("the shipped plans and the eval references satisfy the manifests' risk", async () => {
    const files = [
      ...readdirSync("plans").map((f) => `plans/${f}`),
      ...readdirSync("evals/scenarios").map((d) => `evals/scenarios/${d}/reference.yaml`),
    ];
    for (const file of files) expect(problemsOf(planFrom(file), await sandboxRegistry()), file).toEqual([]);
  });
});

describe("the planner sets risk itself; a model can only add to it", () => {
  const freezeAndDump = (risky: unknown): DraftStep[] => [
    {
      id: "freeze",
      tool: "sandbox.db.setReadOnly",
      args: { name: "orders", readOnly: true },
      expectedOutcome: "Frozen.",
      risky,
    },
    {
      id: "snap",
      tool: "sandbox.db.snapshot",
      args: { name: "orders", snapshot: "s1" },
      expectedOutcome: "Snapshotted.",
      risky: true,
    },
  ];

  it("flags a step the model called safe when its tool is risky", async () => {
    const judged = finish(freezeAndDump(false), envelope, await sandboxRegistry());
    expect(judged.ok).toBe(true);
    if (!judged.ok) return;
    expect(judged.plan.riskySteps).toEqual(["freeze", "snap"]);
    expect(judged.plan.requiresConfirmation).toBe(true);
    expect(judged.plan.steps[0]!.rollback).toEqual({
      tool: "sandbox.db.setReadOnly",
      args: { name: "orders", readOnly: "${{ steps.freeze.outputs.previous }}" },
    });
  });

  it.each([["true"], ["false"], [1], [null], [{ yes: true }]])(
    "refuses risky: %j (not a boolean) as a located problem to repair, never dropping it",
    async (value) => {
      const judged = finish(freezeAndDump(value), envelope, await sandboxRegistry());
      expect(judged.ok).toBe(false);
      if (judged.ok) return;
      expect(judged.problems[0]).toEqual({
        rule: "bad-risky",
        where: "steps[0].risky",
        message: `step \`freeze\`: risky must be true or false (a JSON boolean), not ${JSON.stringify(value)}; write "risky": true if a human should approve it`,
      });
      expect(judged.validatorProblems?.[0]).toMatchObject({ file: "<plan>", line: expect.any(Number), col: 5 });
    },
  );
});
