// compileSchema: ajv's compiled validators kept as standalone code in the user's cache (`ajv/`),
// keyed by the schema and the compiler. A cached validator must answer exactly as a fresh one.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  compileSchema,
  compilerSalt,
  forgetCompiled,
  planSchemaCheck,
  planSchemaValidator,
} from "../../src/schema/ajv.js";
import { readEntry, sha256, writeEntry } from "../../src/schema/disk-cache.js";

let dir: string;
const schema = {
  type: "object",
  additionalProperties: false,
  required: ["name"],
  properties: { name: { type: "string", minLength: 2 }, at: { type: "string", format: "date-time" } },
};
const keyOf = (s: unknown) => sha256(compilerSalt(), JSON.stringify(s));
const entryFile = (s: unknown) => join(dir, "ajv", `${keyOf(s)}.entry`);

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "planfile-compile-cache-"));
  process.env.PLANFILE_CACHE_DIR = dir;
  forgetCompiled();
});

afterEach(() => {
  delete process.env.PLANFILE_CACHE_DIR;
  rmSync(dir, { recursive: true, force: true });
});

describe("compiled validators on disk", () => {
  it("a schema compiled once is written as standalone code, and the next process's compile loads it", () => {
    const fresh = compileSchema(schema);
    expect(readdirSync(join(dir, "ajv"))).toEqual([`${keyOf(schema)}.entry`]);
    // An intact entry is believed: proof that the second compile comes from the cache.
    writeEntry("ajv", keyOf(schema), `module.exports = function validate() { return "from the cache"; };`);
    forgetCompiled();
    expect(compileSchema(schema)({})).toBe("from the cache");
    expect(fresh({ name: "orders" })).toBe(true);
  });

  it("a cached validator gives the same answers and the same errors (formats, verbose schemas) as a fresh one", () => {
    const fresh = compileSchema(schema);
    forgetCompiled();
    const cached = compileSchema(schema);
    expect(cached).not.toBe(fresh);
    for (const data of [{ name: "orders" }, { name: "x", extra: 1 }, { name: "orders", at: "yesterday" }, {}]) {
      expect(cached(data)).toBe(fresh(data));
      expect(cached.errors).toEqual(fresh.errors);
    }
  });

  it("the plan schema's cached validator reports a broken plan exactly as the compiler's does", () => {
    const plan = parse(readFileSync("plans/migrate-orders.yaml", "utf8"));
    plan.steps[0].bogus = true;
    plan.steps[1].tool = 5;
    const planSchema = JSON.parse(readFileSync("schemas/plan.schema.json", "utf8"));
    const fresh = compileSchema(planSchema);
    forgetCompiled();
    const cached = compileSchema(planSchema);
    expect(cached(plan)).toBe(false);
    expect(fresh(plan)).toBe(false);
    expect(cached.errors).toEqual(fresh.errors);
    expect(planSchemaValidator()(plan)).toBe(false);
  });

  it("within one process a schema is compiled or read once: a second registry's compile reads no file", () => {
    const first = compileSchema(schema);
    rmSync(entryFile(schema));
    expect(compileSchema(structuredClone(schema))).toBe(first);
    expect(readdirSync(join(dir, "ajv"))).toEqual([]);
  });

  it("a changed schema is a new key, never the old validator", () => {
    compileSchema(schema);
    const stricter = { ...schema, properties: { ...schema.properties, name: { type: "string", minLength: 10 } } };
    expect(compileSchema(stricter)({ name: "orders" })).toBe(false);
    expect(compileSchema(schema)({ name: "orders" })).toBe(true);
  });

  it.each([
    ["truncated", (text: string) => text.slice(0, text.length / 2)],
    ["edited without its hash", (text: string) => text.replace("minLength", "maxLength")],
    ["empty", () => ""],
  ])("a corrupt entry (%s) is ignored and rebuilt", (_name, corrupt) => {
    compileSchema(schema);
    writeFileSync(entryFile(schema), corrupt(readFileSync(entryFile(schema), "utf8")));
    forgetCompiled();
    const validate = compileSchema(schema);
    expect(validate({ name: "x" })).toBe(false);
    expect(validate({ name: "orders" })).toBe(true);
    expect(readEntry("ajv", keyOf(schema))).toContain("minLength");
  });

  it("an intact entry whose code throws, or is not a validator, is ignored and rebuilt", () => {
    for (const code of [`throw new Error("boom")`, `module.exports = 42;`]) {
      writeEntry("ajv", keyOf(schema), code);
      forgetCompiled();
      expect(compileSchema(schema)({ name: "orders" })).toBe(true);
      expect(readEntry("ajv", keyOf(schema))).not.toBe(code);
    }
  });

  it("with the cache off, nothing is written", () => {
    process.env.PLANFILE_CACHE = "off";
    try {
      expect(compileSchema(schema)({ name: "orders" })).toBe(true);
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      delete process.env.PLANFILE_CACHE;
    }
  });
});

describe("the plan schema's yes-or-no check", () => {
  // The validator asks the check first and the reporting validator only on a no: they must never disagree.
  const plans = readdirSync("plans")
    .filter((f) => f.endsWith(".yaml"))
    .map((f) => parse(readFileSync(join("plans", f), "utf8")));
  const breakages: [string, (step: Record<string, unknown>) => void][] = [
    ["no tool", (s) => delete s.tool],
    ["a numeric id", (s) => (s.id = 7)],
    ["an id against the pattern", (s) => (s.id = "Bad Id")],
    ["an unknown key", (s) => (s.bogus = true)],
    ["a rollback with none and a tool", (s) => (s.rollback = { tool: "sandbox.db.restore", args: {}, none: "why" })],
    ["a rollback with none and irreversible", (s) => (s.rollback = { none: "why not", irreversible: "all of it" })],
    ["an empty rollback", (s) => (s.rollback = {})],
    ["a short none", (s) => (s.rollback = { none: "x" })],
    ["a short irreversible", (s) => (s.rollback = { irreversible: "x" })],
    [
      "irreversible and a tool",
      (s) => (s.rollback = { irreversible: "all of it", tool: "sandbox.db.restore", args: {} }),
    ],
    ["a rollback call without args", (s) => (s.rollback = { tool: "sandbox.db.restore" })],
    ["a rollback call with an unknown key", (s) => (s.rollback = { tool: "sandbox.db.restore", args: {}, bogus: 1 })],
    ["a rollback that is text", (s) => (s.rollback = "undo it")],
    ["a rollback that is a list", (s) => (s.rollback = [{ none: "why not" }])],
    ["dependsOn not a list", (s) => (s.dependsOn = "a")],
    ["a numeric dependency", (s) => (s.dependsOn = [1])],
    ["retries out of range", (s) => (s.retries = 11)],
    ["args a list", (s) => (s.args = [])],
  ];

  it("says yes to every plan in plans/, and to each kind of rollback", () => {
    for (const plan of plans) expect(planSchemaCheck()(plan)).toBe(true);
    const plan = structuredClone(plans[0]);
    for (const rollback of [
      { none: "nothing to undo" },
      { irreversible: "the mail is sent" },
      { tool: "sandbox.db.restore", args: {} },
      { tool: "sandbox.db.restore", args: {}, override: "restore from the nightly dump" },
    ]) {
      plan.steps[0].rollback = rollback;
      expect(planSchemaCheck()(plan)).toBe(true);
      expect(planSchemaValidator()(plan)).toBe(true);
    }
  });

  it.each(breakages)("agrees with the reporting validator on a step with %s, wherever it is", (_name, breakStep) => {
    for (const plan of plans)
      for (let i = 0; i < plan.steps.length; i++) {
        const broken = structuredClone(plan);
        breakStep(broken.steps[i]);
        expect(planSchemaCheck()(broken)).toBe(false);
        expect(planSchemaValidator()(broken)).toBe(false);
      }
  });
});
