import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { validatePlanText } from "../../src/validator/index.js";
import { demoRegistry } from "../support/demo-registry.js";

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
