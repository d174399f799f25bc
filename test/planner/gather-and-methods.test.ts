import { describe, expect, it } from "vitest";
import { Registry, type InlineTool as SharedInlineTool, type Handler } from "../../src/registry/index.js";
import type { Tool } from "../../src/schema/types.generated.js";

// The shared InlineTool intersects the manifest's `handler?: string` with a function.
type InlineTool = Omit<Tool, "handler"> & { handler: Handler };
const define = (registry: Registry, tools: InlineTool[]) =>
  registry.define(...(tools as unknown as SharedInlineTool[]));
import { gather, declaredProbes } from "../../src/planner/gather.js";
import { library, loadMethods, parseMethods } from "../../src/planner/offline/methods.js";
import { plan } from "../../src/planner/plan.js";

const obj = (properties: Record<string, unknown>, required: string[] = []) => ({
  type: "object",
  additionalProperties: false,
  required,
  properties,
});

/** Probes that each wait until all of them have started: they can only finish if they run in parallel. */
function barrierProbes(n: number): InlineTool[] {
  let started = 0;
  let release!: () => void;
  const all = new Promise<void>((r) => (release = r));
  return Array.from({ length: n }, (_, i) => ({
    name: `lab.probe.p${i}`,
    description: "A read that waits for its siblings.",
    effect: "read" as const,
    idempotent: true,
    probe: true,
    input: obj({}),
    output: obj({ i: { type: "integer" } }),
    handler: async () => {
      if (++started === n) release();
      await all;
      return { i };
    },
  }));
}

const labTools: InlineTool[] = [
  {
    name: "lab.net.subnets",
    description: "Subnets.",
    effect: "read",
    idempotent: true,
    probe: true,
    input: obj({}),
    output: obj({ subnets: { type: "array" } }),
    handler: () => ({
      subnets: [
        { name: "full", free: 0 },
        { name: "roomy", free: 9 },
      ],
    }),
  },
  {
    name: "lab.vm.create",
    description: "Create a VM.",
    effect: "write",
    idempotent: false,
    input: obj({ name: { type: "string" }, subnet: { type: "string" } }, ["name", "subnet"]),
    output: obj({ ip: { type: "string" } }),
    compensation: { tool: "lab.vm.delete", args: { name: "${{ args.name }}" } },
    handler: () => ({ ip: "10.0.0.9" }),
  },
  {
    name: "lab.vm.delete",
    description: "Delete a VM.",
    effect: "destructive",
    idempotent: true,
    input: obj({ name: { type: "string" } }, ["name"]),
    output: obj({}),
    handler: () => ({}),
  },
  {
    name: "lab.vm.check",
    description: "Check a VM.",
    effect: "read",
    idempotent: true,
    input: obj({ name: { type: "string" } }, ["name"]),
    output: obj({ ok: { type: "boolean" } }),
    handler: () => ({ ok: true }),
  },
  {
    name: "lab.never.answers",
    description: "Hangs.",
    effect: "read",
    idempotent: true,
    input: obj({}),
    output: obj({}),
    handler: () => new Promise(() => {}),
  },
];

const LAB_METHODS = `
apiVersion: planfile/v1
kind: MethodSet
name: lab
methods:
  - name: start-vm
    task: start-vm
    intent: {verbs: [start]}
    slots: {name: {type: name}}
    probes: [{id: net, tool: lab.net.subnets}]
    subtasks:
      - {id: place, task: place}
      - {id: check, tool: lab.vm.check, dependsOn: [place], args: {name: "{{ name }}"}, expectedOutcome: "{{ name }} answers."}
  - name: place-with-room
    task: place
    let: {roomy: 'context.net.subnets.filter(s, s.free > 0)'}
    when: 'size(roomy) > 0'
    otherwise: no subnet has room
    subtasks:
      - {id: create, tool: lab.vm.create, args: {name: "{{ name }}", subnet: "{{ roomy[0].name }}"}, expectedOutcome: "{{ name }} runs in {{ roomy[0].name }}."}
`;

describe("context gathering", () => {
  it("runs probes in parallel", async () => {
    const registry = define(new Registry(), barrierProbes(4));
    const outcomes = await gather(registry, declaredProbes(registry), { maxCalls: 8, maxProbes: 8, timeoutMs: 5_000 });
    expect(outcomes.map((o) => o.ok)).toEqual([true, true, true, true]);
  });

  it("refuses calls beyond the count limit instead of queueing them", async () => {
    const registry = define(new Registry(), labTools);
    const calls = [1, 2, 3].map((i) => ({ id: `n${i}`, tool: "lab.net.subnets", args: {} }));
    const outcomes = await gather(registry, calls, { maxCalls: 2, maxProbes: 2, timeoutMs: 5_000 });
    expect(outcomes.map((o) => o.ok)).toEqual([true, true, false]);
    expect(outcomes[2]).toMatchObject({ message: "not read: at most 2 reads are allowed before planning" });
  });

  it("abandons a probe that outlives the time budget, keeping the others", async () => {
    const registry = define(new Registry(), labTools);
    const outcomes = await gather(
      registry,
      [
        { id: "hang", tool: "lab.never.answers", args: {} },
        { id: "net", tool: "lab.net.subnets", args: {} },
      ],
      { maxCalls: 8, maxProbes: 8, timeoutMs: 50 },
    );
    expect(outcomes[0]).toMatchObject({ ok: false });
    expect(outcomes[1]).toMatchObject({ ok: true });
  });
});

describe("offline methods", () => {
  it("chooses the alternative whose condition holds on what was read", async () => {
    const registry = define(new Registry(), labTools);
    const result = await plan("start web", {
      registry,
      methods: library(parseMethods(LAB_METHODS, "lab.methods.yaml")),
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.plan.steps.map((s) => [s.id, s.args, s.dependsOn])).toEqual([
      ["create", { name: "web", subnet: "roomy" }, undefined],
      ["check", { name: "web" }, ["create"]],
    ]);
    expect(result.plan.steps[0]!.rollback).toEqual({ tool: "lab.vm.delete", args: { name: "web" } });
  });

  it("fails with the method's reason when no alternative fits", async () => {
    const full: InlineTool = { ...labTools[0]!, handler: () => ({ subnets: [{ name: "full", free: 0 }] }) };
    const registry = define(new Registry(), [full, ...labTools.slice(1)]);
    const result = await plan("start web", {
      registry,
      methods: library(parseMethods(LAB_METHODS, "lab.methods.yaml")),
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toBe("PRECONDITION");
    expect(result.message).toContain("start-vm → place-with-room: no subnet has room");
  });

  it("rejects a method file with invalid CEL, naming the file", async () => {
    await expect(loadMethods("test/fixtures/planner")).rejects.toThrow(
      /broken\.methods\.yaml: method bad-cel: `size\(\(` is not valid CEL/,
    );
  });

  it("rejects a method file that breaks the schema, with line and column", () => {
    expect(() =>
      parseMethods(
        "apiVersion: planfile/v1\nkind: MethodSet\nname: x\nmethods:\n  - name: a\n    task: a\n    subtask: []\n",
        "x.methods.yaml",
      ),
    ).toThrow(/x\.methods\.yaml: not a valid method file .*5:5/);
  });

  it("loads the shipped method files", async () => {
    const methods = await loadMethods("tools");
    expect(methods.methods.filter((m) => m.intent).length).toBeGreaterThanOrEqual(8);
  });
});
