// parseYamlFile: a plan file's data read back by content hash (src/schema/parse-cache.ts). Positions
// are parsed again only when a problem needs one, and must then be the very same.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadRegistry } from "../../src/registry/index.js";
import { parseYamlFile } from "../../src/schema/parse-cache.js";
import { validatePlanFile } from "../../src/validator/index.js";

let dir: string;
let plan: string;
const entries = () => readdirSync(join(dir, "cache", "yaml"));
const entry = () => join(dir, "cache", "yaml", entries()[0]!);
const registry = loadRegistry({ policyFile: false, lazyHandlers: true });

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "planfile-parse-cache-"));
  plan = join(dir, "plan.yaml");
  writeFileSync(plan, readFileSync("plans/migrate-orders.yaml", "utf8"));
  process.env.PLANFILE_CACHE_DIR = join(dir, "cache");
});

afterEach(() => {
  delete process.env.PLANFILE_CACHE_DIR;
  rmSync(dir, { recursive: true, force: true });
});

const validateTwice = async () => {
  const first = await validatePlanFile(plan, await registry);
  const second = await validatePlanFile(plan, await registry);
  return [first, second] as const;
};

describe("plan files through the parse cache", () => {
  it("a valid plan is stored once and read back with the same data and digest", async () => {
    const [first, second] = await validateTwice();
    expect(entries()).toHaveLength(1);
    expect(first.ok && second.ok).toBe(true);
    expect(second.ok && second.plan).toEqual(first.ok && first.plan);
    expect(second.ok && second.digest).toBe(first.ok && first.digest);
  });

  it("a cached plan with a semantic problem points at the same file:line:col as a freshly parsed one", async () => {
    writeFileSync(plan, readFileSync(plan, "utf8").replace("tool: sandbox.db.create", "tool: sandbox.db.craete"));
    const [first, second] = await validateTwice();
    expect(entries()).toHaveLength(1);
    expect(first.ok).toBe(false);
    expect(second).toEqual(first);
    expect(!second.ok && second.problems[0]).toMatchObject({ rule: "unknown-tool", file: plan });
    expect(!second.ok && second.problems[0]!.line).toBeGreaterThan(1);
  });

  it("a changed plan is not served stale", async () => {
    await validatePlanFile(plan, await registry);
    writeFileSync(plan, readFileSync(plan, "utf8").replace(/^ {2}name: .*$/m, "  name: migrate-orders-again"));
    const result = await validatePlanFile(plan, await registry);
    expect(result.ok && result.plan.metadata.name).toBe("migrate-orders-again");
    expect(entries()).toHaveLength(2);
  });

  it("a file with a YAML problem is never stored, and its problem keeps its place", async () => {
    writeFileSync(plan, "apiVersion: planfile/v1\nkind: Plan\nkind: Plan\n");
    for (let i = 0; i < 2; i++) {
      const result = parseYamlFile(readFileSync(plan, "utf8"), plan);
      expect(!result.ok && result.problems[0]).toMatchObject({ line: 3, col: 1, rule: "yaml" });
    }
    expect(() => entries()).toThrow();
  });

  it.each([
    ["truncated", (text: string) => text.slice(0, text.length - 10)],
    ["edited without its hash", (text: string) => text.replaceAll("orders-migration", "something-else")],
    ["empty", () => ""],
  ])("a corrupt entry (%s) is ignored and rebuilt", async (_name, corrupt) => {
    const [first] = await validateTwice();
    writeFileSync(entry(), corrupt(readFileSync(entry(), "utf8")));
    const again = await validatePlanFile(plan, await registry);
    expect(again.ok && again.plan).toEqual(first.ok && first.plan);
    expect(readFileSync(entry(), "utf8")).toContain('"bucket":"orders-migration"');
  });

  it("YAML that JSON cannot hold (.inf) is parsed every time instead of stored", () => {
    writeFileSync(plan, "a: .inf\nb: [1, 2]\n");
    const result = parseYamlFile(readFileSync(plan, "utf8"), plan);
    expect(result.ok && result.data).toEqual({ a: Number.POSITIVE_INFINITY, b: [1, 2] });
    expect(() => entries()).toThrow();
  });
});
