import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import canonicalizeModule from "canonicalize";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { Plan } from "../../src/schema/types.generated.js";
import { canonicalJson, planDigest, sealPlan } from "../../src/validator/digest.js";
import { validatePlanText } from "../../src/validator/index.js";
import { demoRegistry } from "../support/demo-registry.js";

// canonicalize is CommonJS; its typings describe the ESM default, Node gives module.exports.
const canonicalize = ((canonicalizeModule as { default?: unknown }).default ?? canonicalizeModule) as (
  input: unknown,
) => string | undefined;
const registry = await demoRegistry();
const text = readFileSync("test/fixtures/plans/valid.yaml", "utf8");
const digest = (t: string) => {
  const r = validatePlanText(t, "p.yaml", registry);
  if (!r.ok) throw new Error(r.problems[0]!.message);
  return r.digest;
};

describe("plan digest", () => {
  it("ignores comments, formatting and key order", () => {
    const reformatted = `# reviewed by ops\n${text.replace("kind: Plan\n", "").replace("apiVersion: planfile/v1\n", "apiVersion: planfile/v1\n\n\nkind:   Plan # same\n")}`;
    expect(digest(reformatted)).toBe(digest(text));
  });

  it("changes when the meaning changes", () => {
    expect(digest(text.replaceAll("bucket: migrations", "bucket: archive"))).not.toBe(digest(text));
  });
});

describe("canonical JSON", () => {
  it("is the text canonicalize (RFC 8785) writes, for any JSON value", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(canonicalJson(value)).toBe(canonicalize(value));
      }),
      { numRuns: 500 },
    );
  });

  it("is canonicalize's text for long lists of any items, any text (written a block of items at a time)", () => {
    // Long texts too, so that blocks and the 64 KiB buffers they are written into end at different places.
    const item = fc.oneof(
      fc.jsonValue({ stringUnit: "grapheme" }),
      fc.constant(undefined),
      fc.string({ unit: "grapheme", maxLength: 3000 }),
    );
    fc.assert(
      fc.property(fc.array(item, { minLength: 0, maxLength: 300 }), fc.jsonValue(), (steps, metadata) => {
        const value = { steps, metadata };
        const { digest } = sealPlan(value as unknown as Plan, false);
        expect(canonicalJson(value)).toBe(canonicalize(value));
        expect(digest).toBe(`sha256:${createHash("sha256").update(canonicalize(value)!).digest("hex")}`);
      }),
      { numRuns: 200 },
    );
  });

  it("keeps a plan's digest as it was: sha256 of canonicalize's text", () => {
    const plan = parse(text) as Plan;
    const expected = `sha256:${createHash("sha256")
      .update(canonicalize(plan) ?? "")
      .digest("hex")}`;
    expect(planDigest(plan)).toBe(expected);
  });

  it("hashes a plan larger than one 64 KiB piece the same as its whole text", () => {
    const plan = parse(text) as Plan;
    const big: Plan = {
      ...plan,
      steps: Array.from({ length: 2000 }, (_, i) => ({ ...plan.steps[0]!, id: `s${i}` })) as Plan["steps"],
    };
    expect(canonicalJson(big).length).toBeGreaterThan(128 * 1024);
    expect(planDigest(big)).toBe(`sha256:${createHash("sha256").update(canonicalize(big)!).digest("hex")}`);
  });
});

describe("canonical JSON, corners", () => {
  it("orders integer-like keys as text, as RFC 8785 does, and keeps a `__proto__` key", () => {
    const value = JSON.parse('{"10":1,"9":2,"b":[{"2":0,"10":1}],"__proto__":{"x":1}}');
    expect(canonicalJson(value)).toBe(canonicalize(value));
    expect(canonicalJson(value)).toBe('{"10":1,"9":2,"__proto__":{"x":1},"b":[{"10":1,"2":0}]}');
  });
});
