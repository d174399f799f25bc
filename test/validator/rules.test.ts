import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { validatePlanFile } from "../../src/validator/index.js";
import { demoRegistry } from "../support/demo-registry.js";

// Each fixture under invalid/ breaks exactly one rule and says so on its first
// line: `# expect: <rule> <line>:<col>`. Adding a rule means adding a fixture.
const dir = "test/fixtures/plans/invalid";
const fixtures = readdirSync(dir)
  .filter((f) => f.endsWith(".yaml"))
  .map((f) => {
    const [, rule, line, col] = /^# expect: (\S+) (\d+):(\d+)/.exec(readFileSync(`${dir}/${f}`, "utf8"))!;
    return { file: `${dir}/${f}`, rule: rule!, line: Number(line), col: Number(col) };
  });

describe("every class of error is reported at the offending node", () => {
  it.each(fixtures)("$file → $rule at $line:$col", async ({ file, rule, line, col }) => {
    const result = await validatePlanFile(file, await demoRegistry());
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toContainEqual(expect.objectContaining({ file, rule, line, col }));
  });

  it("covers every semantic rule and the yaml and schema stages", () => {
    const covered = new Set(fixtures.map((f) => f.rule));
    for (const rule of [
      "yaml",
      "schema",
      "duplicate-id",
      "unknown-dependency",
      "duplicate-dependency",
      "cycle",
      "unknown-tool",
      "context-not-read-only",
      "invalid-args",
      "bad-reference",
      "missing-rollback",
      "destructive-not-risky",
      "unknown-risky-step",
      "confirmation-required",
      "bad-expect",
    ])
      expect(covered, rule).toContain(rule);
  });
});

describe("a valid plan", () => {
  it("is accepted with its digest", async () => {
    const result = await validatePlanFile("test/fixtures/plans/valid.yaml", await demoRegistry());
    expect(result.ok && result.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it("lets a reference stand in for an argument of the referenced output's type", async () => {
    // valid.yaml passes `copies: ${{ steps.dump.outputs.bytes }}` (integer) where an integer is expected.
    const text = readFileSync("test/fixtures/plans/valid.yaml", "utf8");
    expect(text).toContain('copies: "${{ steps.dump.outputs.bytes }}"');
    const result = await validatePlanFile("test/fixtures/plans/valid.yaml", await demoRegistry());
    expect(result.ok).toBe(true);
  });
});

describe("messages tell the user what to do next", () => {
  it("suggests the closest tool name", async () => {
    const result = await validatePlanFile("test/fixtures/plans/broken.yaml", await demoRegistry());
    expect(!result.ok && result.problems.map((p) => p.message)).toContain(
      "step `dump` uses unknown tool `demo.db.dmp`; did you mean `demo.db.dump`?",
    );
  });

  it("names the missing dependency to add", async () => {
    const result = await validatePlanFile(`${dir}/reference-not-dependency.yaml`, await demoRegistry());
    expect(!result.ok && result.problems[0]!.message).toMatch(/add `dump` to dependsOn/);
  });

  it("lists the allowed fields for an unknown one", async () => {
    const result = await validatePlanFile(`${dir}/unknown-field.yaml`, await demoRegistry());
    expect(!result.ok && result.problems[0]!.message).toMatch(
      /unknown field `retry` in steps\[0\]; allowed: id, description, tool/,
    );
  });
});
