import { describe, expect, it } from "vitest";
import { GoalTooLongError, MAX_GOAL_CHARS, quoteGoal } from "../../../src/planner/goal/index.js";
import { library, parseMethodFile } from "../../../src/planner/offline/methods.js";
import { plan } from "../../../src/planner/plan.js";
import type { Llm } from "../../../src/planner/types.js";
import { Registry, type Handler, type InlineTool } from "../../../src/registry/index.js";

function countingWorld() {
  const calls = { probes: 0, model: 0 };
  const registry = new Registry();
  registry.define({
    name: "lab.things.list",
    description: "Things.",
    effect: "read",
    idempotent: true,
    probe: true,
    input: { type: "object", additionalProperties: false, properties: {} },
    output: { type: "object" },
    handler: (() => {
      calls.probes++;
      return { things: [] };
    }) as Handler,
  } as unknown as InlineTool);
  const llm: Llm = {
    model: "counting",
    complete: async () => {
      calls.model++;
      throw new Error("not asked");
    },
  };
  const methods = library([
    parseMethodFile(
      "apiVersion: planfile/v1\nkind: MethodSet\nname: lab\nentities: {thing: {list: {tool: lab.things.list, items: things}}}\nmethods: [{name: a, task: a, intent: {verbs: [fix]}, slots: {t: {type: thing}}, subtasks: []}]\n",
      "lab.methods.yaml",
    ),
  ]);
  return { calls, registry, llm, methods };
}

describe("goal limits", () => {
  const long = `fix ${"the thing ".repeat(MAX_GOAL_CHARS / 10)}`;

  it("refuses a goal over 4,000 characters as a usage error before any read", async () => {
    const { calls, registry, methods } = countingWorld();
    await expect(plan(long, { registry, methods })).rejects.toBeInstanceOf(GoalTooLongError);
    await expect(plan(long, { registry, methods })).rejects.toMatchObject({ code: "USAGE" });
    expect(calls.probes).toBe(0);
  });

  it("refuses it before any model call too", async () => {
    const { calls, registry, llm } = countingWorld();
    await expect(plan(long, { registry, llm })).rejects.toBeInstanceOf(GoalTooLongError);
    expect(calls).toEqual({ probes: 0, model: 0 });
  });

  it("reads a goal of exactly 4,000 characters", async () => {
    const { calls, registry, methods } = countingWorld();
    const goal = `fix it${" ".repeat(MAX_GOAL_CHARS - 6)}`;
    expect(goal.length).toBe(MAX_GOAL_CHARS);
    const result = await plan(goal, { registry, methods });
    expect(result.ok).toBe(false);
    expect(calls.probes).toBe(1);
  });

  it("quotes at most 200 characters of a goal, saying how long it was", () => {
    expect(quoteGoal("Migrate orders")).toBe('"Migrate orders"');
    const quoted = quoteGoal("x".repeat(100_000));
    expect(quoted).toBe(`"${"x".repeat(200)}"… (100000 characters)`);
  });

  it("the message of a too-long goal quotes only its start", () => {
    const message = new GoalTooLongError("y".repeat(100_000)).message;
    expect(message.length).toBeLessThan(400);
    expect(message).toContain("the goal is 100000 characters long");
  });
});
