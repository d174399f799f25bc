import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { parseYamlSource } from "../../src/schema/source.js";
import { renderPlanYaml } from "../../src/schema/render.js";
import type { Plan } from "../../src/schema/types.generated.js";

const id = fc.stringMatching(/^[a-z][a-z0-9_-]{0,10}$/);
const tool = fc.stringMatching(/^[a-z][a-z0-9]{0,5}\.[a-z][a-z0-9]{0,5}$/);
// Any text a planner might emit: quotes, `#`, `${{ }}`, newlines, YAML look-alikes ("yes", "1.0", "null").
const text = fc.oneof(
  fc.string({ minLength: 1, maxLength: 40, unit: "grapheme" }),
  fc.constantFrom(
    "yes",
    "no",
    "null",
    "1.0",
    "0x10",
    "~",
    "- item",
    "a: b",
    "#x",
    "${{ steps.a.outputs.b }}",
    "multi\nline\n",
    " lead",
    "trail ",
  ),
);
const json = fc.jsonValue({ maxDepth: 3 }).filter((v) => !Object.is(v, -0));
const args = fc.dictionary(fc.oneof(id, fc.string({ maxLength: 8 })), json, { maxKeys: 5 });

const step = fc.record(
  {
    id,
    description: text,
    tool,
    dependsOn: fc.uniqueArray(id, { maxLength: 3 }),
    args,
    expectedOutcome: text,
    expect: text,
    rollback: fc.oneof(fc.record({ tool, args }), fc.record({ none: text })),
    timeoutMs: fc.integer({ min: 1, max: 86_400_000 }),
    retries: fc.integer({ min: 0, max: 10 }),
  },
  { requiredKeys: ["id", "tool", "args", "expectedOutcome"] },
);

const plan = fc.record(
  {
    apiVersion: fc.constant("planfile/v1" as const),
    kind: fc.constant("Plan" as const),
    metadata: fc.record(
      {
        name: fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,20}$/),
        goal: text,
        description: text,
        createdAt: fc.constant("2026-11-24T21:00:00Z"),
        planner: fc.record(
          {
            name: fc.constantFrom("offline", "llm", "hand"),
            model: fc.string({ maxLength: 10 }),
            attempts: fc.integer({ min: 1, max: 5 }),
          },
          { requiredKeys: ["name"] },
        ),
      },
      { requiredKeys: ["name", "goal"] },
    ),
    context: fc.array(fc.record({ id, tool, args, output: fc.dictionary(id, json, { maxKeys: 4 }) }), { maxLength: 2 }),
    requiresConfirmation: fc.boolean(),
    riskySteps: fc.uniqueArray(id, { maxLength: 3 }),
    steps: fc.array(step, { minLength: 1, maxLength: 4 }),
  },
  { requiredKeys: ["apiVersion", "kind", "metadata", "requiresConfirmation", "riskySteps", "steps"] },
) as unknown as fc.Arbitrary<Plan>;

/** Same data, every object's keys in reverse order. */
function reverseKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map(reverseKeys) as T;
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).reverse())
    Object.defineProperty(out, key, {
      value: reverseKeys((value as Record<string, unknown>)[key]),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  return out as T;
}

const sample: Plan = {
  apiVersion: "planfile/v1",
  kind: "Plan",
  metadata: {
    name: "rotate",
    goal: "Rotate the api key\nwithout downtime",
    createdAt: "2026-11-24T21:00:00Z",
    planner: { name: "llm", model: "gpt-x", prompt: "decompose@1" },
  },
  requiresConfirmation: true,
  riskySteps: ["revoke"],
  steps: [
    { id: "mint", tool: "keys.mint", args: { scope: "api" }, expectedOutcome: "A new key exists." },
    {
      id: "revoke",
      tool: "keys.revoke",
      dependsOn: ["mint"],
      args: { key: "old" },
      expectedOutcome: "The old key is revoked.",
      rollback: { none: "A revoked key cannot come back." },
    },
  ],
};

describe("renderPlanYaml", () => {
  it("writes schema key order whatever order the input keys come in", () => {
    const yaml = renderPlanYaml(reverseKeys(sample), { header: false });
    expect(
      yaml
        .split("\n")
        .filter((l) => /^\S/.test(l))
        .map((l) => l.split(":")[0]),
    ).toEqual(["apiVersion", "kind", "metadata", "requiresConfirmation", "riskySteps", "steps"]);
    expect(yaml).toContain(
      "  - id: revoke\n    tool: keys.revoke\n    dependsOn: [mint]\n    args: {key: old}\n    expectedOutcome:",
    );
    expect(yaml).toBe(renderPlanYaml(sample, { header: false }));
  });

  it("puts goal, step count, risky steps and provenance in a header comment", () => {
    const head = renderPlanYaml(sample).split("\n").slice(0, 3);
    expect(head).toEqual([
      "# planfile plan — Rotate the api key without downtime",
      "# 2 steps, risky: revoke; planned by llm, gpt-x, decompose@1 at 2026-11-24T21:00:00Z.",
      "# Review: tsx src/show.ts <this file>   Check: tsx src/validate.ts <this file>",
    ]);
  });

  it("never emits YAML anchors, even when the input shares one object between steps", () => {
    const shared = { region: "eu" };
    const yaml = renderPlanYaml({
      ...sample,
      steps: sample.steps.map((s) => ({ ...s, args: shared })) as unknown as Plan["steps"],
    });
    expect(yaml).not.toMatch(/[&*]a\d/);
  });

  it("render → parse → render is byte-identical, and the data survives, for generated plans", () => {
    fc.assert(
      fc.property(plan, (p) => {
        const first = renderPlanYaml(p);
        const parsed = parseYamlSource(first, "plan.yaml");
        expect(parsed.ok).toBe(true);
        const data = (parsed as { data: Plan }).data;
        expect(data).toEqual(JSON.parse(JSON.stringify(p)));
        expect(renderPlanYaml(data)).toBe(first);
        expect(renderPlanYaml(reverseKeys(p))).toBe(first);
      }),
      { numRuns: 300, seed: 20261125 },
    );
  });

  it("writes -0 as 0, the one value the digest sees", () => {
    const p = { ...sample, steps: [{ ...sample.steps[0], args: { n: -0 } }, sample.steps[1]] } as Plan;
    const parsed = parseYamlSource(renderPlanYaml(p), "plan.yaml");
    expect(parsed.ok && Object.is((parsed.data as Plan).steps[0].args.n, 0)).toBe(true);
  });

  it("does not churn the checked-in fixture plan", async () => {
    const { readFile } = await import("node:fs/promises");
    const once = renderPlanYaml(parse(await readFile("test/fixtures/plans/valid.yaml", "utf8")));
    expect(renderPlanYaml(parse(once))).toBe(once);
  });
});
