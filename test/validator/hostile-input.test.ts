import { readFileSync } from "node:fs";
import fc from "fast-check";
import { parse, stringify } from "yaml";
import { describe, expect, it } from "vitest";
import { validatePlanText } from "../../src/validator/index.js";
import { demoRegistry } from "../support/demo-registry.js";
import { byteEdits } from "../support/edits.js";

const registry = await demoRegistry();
const validText = readFileSync("test/fixtures/plans/valid.yaml", "utf8");
const validPlan = parse(validText);

/** The guarantee: a result, never an exception; every problem located and worded. */
function expectLocatedFailure(text: string, file = "hostile.yaml") {
  const result = validatePlanText(text, file, registry);
  if (result.ok) return result;
  expect(result.problems.length).toBeGreaterThan(0);
  for (const p of result.problems) {
    expect(p.file).toBe(file);
    expect(p.line).toBeGreaterThanOrEqual(1);
    expect(p.col).toBeGreaterThanOrEqual(1);
    expect(p.message.length).toBeGreaterThan(5);
  }
  return result;
}

describe("bytes that are not a plan get a clear error", () => {
  it.each([
    ["an empty file", "", /file is empty/],
    ["only whitespace and comments", "  \n# nothing\n", /file is empty|must be object|missing required/],
    ["binary", "\u0000\u0001\u0002PNG\u0000", /file is binary/],
    ["a scalar", "42\n", /the document must be object/],
    ["a list", "- a\n- b\n", /the document must be object/],
    [
      "wrong types everywhere",
      "apiVersion: 1\nkind: [Plan]\nmetadata: yes\nrequiresConfirmation: maybe\nriskySteps: {}\nsteps: 7\n",
      /must be/,
    ],
  ])("%s", (_name, text, message) => {
    const result = expectLocatedFailure(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems.map((p) => p.message).join("\n")).toMatch(message);
  });

  it("a file over the size limit", () => {
    const result = expectLocatedFailure(`# ${"x".repeat(3 * 1024 * 1024)}\n`);
    expect(!result.ok && result.problems[0]!.message).toMatch(/larger than 2 MiB/);
  });

  it("an alias bomb is stopped, not expanded", () => {
    const result = expectLocatedFailure(readFileSync("test/fixtures/plans/invalid/alias-bomb.yaml", "utf8"));
    expect(!result.ok && result.problems[0]!.message).toMatch(/aliases are limited/);
  });

  it("deeply nested flow collections", () => {
    const result = expectLocatedFailure(`${"[".repeat(50_000)}${"]".repeat(50_000)}`);
    expect(result.ok).toBe(false);
  });

  it("deeply nested block maps inside a step's args", () => {
    const deep = validText.replace(
      'args: {database: "${{ context.source.name }}"}',
      `args: ${"{a: ".repeat(200)}1${"}".repeat(200)}`,
    );
    const result = expectLocatedFailure(deep);
    expect(!result.ok && result.problems[0]!.message).toMatch(/nesting deeper than 64 levels/);
  });
});

describe("property: mutated valid plans never make the validator throw", () => {
  const paths: (string | number)[][] = [];
  const walk = (v: unknown, path: (string | number)[]) => {
    paths.push(path);
    if (Array.isArray(v)) v.forEach((c, i) => walk(c, [...path, i]));
    else if (v && typeof v === "object") for (const [k, c] of Object.entries(v)) walk(c, [...path, k]);
  };
  walk(validPlan, []);

  const junk = fc.oneof(
    fc.jsonValue({ maxDepth: 3 }),
    fc.string(),
    fc.constantFrom("${{ steps.x.outputs.y }}", "${{ context.nope }}", "${{", "}}", null, -1, 1e308),
  );
  const mutation = fc.record({
    path: fc.constantFrom(...paths.filter((p) => p.length > 0)),
    action: fc.constantFrom("set", "delete"),
    value: junk,
  });

  it("structural mutations give a plan or located problems", () => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (mutations) => {
        const plan = structuredClone(validPlan);
        for (const { path, action, value } of mutations) {
          let parent: any = plan;
          for (const seg of path.slice(0, -1)) parent = parent?.[seg];
          if (parent === null || typeof parent !== "object") continue;
          if (action === "delete") delete parent[path.at(-1)!];
          else parent[path.at(-1)!] = value;
        }
        expectLocatedFailure(stringify(plan));
      }),
      { numRuns: 300, seed: 42 },
    );
  });

  it("byte-level mutations of the text give a plan or located problems", () => {
    fc.assert(
      fc.property(byteEdits(validText), (text) => {
        expectLocatedFailure(text);
      }),
      { numRuns: 300, seed: 7 },
    );
  });
});
