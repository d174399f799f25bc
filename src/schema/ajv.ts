import type { Ajv2020 } from "ajv/dist/2020.js";
import type { ErrorObject, ValidateFunction } from "ajv";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { readEntry, sha256, writeEntry } from "./disk-cache.js";
import type { Path, YamlSource } from "./source.js";
import type { Plan, ToolSet } from "./types.generated.js";

// ajv and ajv-formats are CommonJS, required on first use: a run of `validate` whose compiled
// validators all come from the cache never loads them (~60 ms).
const require = createRequire(import.meta.url);

export const SCHEMA_DIR = fileURLToPath(new URL("../../schemas/", import.meta.url));

const AJV_OPTIONS = { allErrors: true, strict: false, validateFormats: true, verbose: true } as const;
/**
 * A yes-or-no check: stops at the first error and keeps no schema or data in it. Same schema, same verdict;
 * the reporting validator runs only when the answer is no. On a valid 2,000-step plan the reporting one made
 * 2 MB of error objects for the branches of each rollback's `oneOf` that did not match (issue 16).
 */
const CHECK_OPTIONS = { allErrors: false, strict: false, validateFormats: true, verbose: false } as const;

type Profile = "report" | "check";
const PROFILES: Record<Profile, typeof AJV_OPTIONS | typeof CHECK_OPTIONS> = {
  report: AJV_OPTIONS,
  check: CHECK_OPTIONS,
};

/** A fresh ajv instance with planfile's options and every format of ajv-formats. */
export function createAjv(profile: Profile = "report"): Ajv2020 {
  const { Ajv2020: Ajv } = require("ajv/dist/2020.js") as typeof import("ajv/dist/2020.js");
  const addFormats = require("ajv-formats") as (ajv: Ajv2020) => Ajv2020;
  // `code.source` keeps each validator's source, so it can be written to the cache as standalone code.
  const ajv = new Ajv({ ...PROFILES[profile], code: { source: true } });
  addFormats(ajv);
  return ajv;
}

const shared: Partial<Record<Profile, Ajv2020>> = {};
/** One ajv instance for the process: schemas are compiled once and cached by ajv. */
export function sharedAjv(profile: Profile = "report"): Ajv2020 {
  return (shared[profile] ??= createAjv(profile));
}

const salts: Partial<Record<Profile, string>> = {};
/** What else a compiled validator depends on: ajv's version and options (and this cache's own format). */
export function compilerSalt(profile: Profile = "report"): string {
  salts[profile] ??=
    `ajv ${(require("ajv/package.json") as { version: string }).version} ${JSON.stringify(PROFILES[profile])} standalone/1`;
  return salts[profile];
}

/**
 * `sharedAjv().compile(schema)`, through the on-disk cache: a schema compiled
 * once (by this or an earlier process) is loaded as ajv's standalone code,
 * without loading or running ajv's compiler. The key is a hash of the schema
 * text and of the compiler; the code is checked against its hash on reading.
 */
export function compileSchema<T = unknown>(schema: unknown, profile: Profile = "report"): ValidateFunction<T> {
  const text = JSON.stringify(schema);
  const mine = compiled[profile];
  let validate = mine.get(text) as ValidateFunction<T> | undefined;
  if (validate === undefined)
    mine.set(text, (validate = compileUncached<T>(schema, sha256(compilerSalt(profile), text), profile)));
  return validate;
}

/**
 * Validators this process has compiled or loaded, by profile and schema text: a registry made per run (a
 * server, a worker, the benchmarks) neither reads the cache file nor evaluates the code again, about 0.6 ms a
 * run for a plan's few tools. Looked up by the text itself, not its hash: within one process the compiler is
 * the same, and a cold sha256 cost more than the rest of the lookup (about 0.1 ms a run in the `wide` bench).
 */
const compiled: Record<Profile, Map<string, ValidateFunction>> = { report: new Map(), check: new Map() };

/** Forgets the validators this process has compiled, as a new process would start (for the cache's tests). */
export function forgetCompiled(): void {
  for (const mine of Object.values(compiled)) mine.clear();
}

function compileUncached<T>(schema: unknown, key: string, profile: Profile): ValidateFunction<T> {
  const cached = readEntry("ajv", key);
  if (cached !== undefined) {
    const loaded = evaluate<T>(cached);
    if (loaded) return loaded;
  }
  const ajv = sharedAjv(profile);
  const validate = ajv.compile<T>(schema as object);
  const standaloneCode = (require("ajv/dist/standalone/index.js") as typeof import("ajv/dist/standalone/index.js"))
    .default;
  let code: string | undefined;
  try {
    code = standaloneCode(ajv, validate as ValidateFunction);
  } catch {
    // A schema ajv cannot write as standalone code is compiled each time instead.
  }
  if (code !== undefined) writeEntry("ajv", key, code);
  return validate;
}

/** Standalone code is a CommonJS module whose `require` names only ajv's runtime and ajv-formats' formats. */
function evaluate<T>(code: string): ValidateFunction<T> | undefined {
  try {
    const module = { exports: {} as unknown };
    new Function("require", "module", "exports", code)(require, module, module.exports);
    return typeof module.exports === "function" ? (module.exports as ValidateFunction<T>) : undefined;
  } catch {
    return undefined;
  }
}

const schemaTexts = new Map<string, string>();
/** The text of `schemas/<name>.schema.json`. */
export function schemaText(name: string): string {
  let text = schemaTexts.get(name);
  if (text === undefined) schemaTexts.set(name, (text = readFileSync(`${SCHEMA_DIR}${name}.schema.json`, "utf8")));
  return text;
}

let planValidator: ValidateFunction<Plan> | undefined;
/** The plan schema's validator, with every error and its schema and data (for messages). */
export function planSchemaValidator(): ValidateFunction<Plan> {
  return (planValidator ??= compileSchema<Plan>(JSON.parse(schemaText("plan"))));
}

let planCheck: ValidateFunction<Plan> | undefined;
/** Whether data satisfies the plan schema, and nothing more: see CHECK_OPTIONS. */
export function planSchemaCheck(): ValidateFunction<Plan> {
  return (planCheck ??= compileSchema<Plan>(rollbackByKey(JSON.parse(schemaText("plan"))), "check"));
}

/**
 * The plan schema with a step's rollback chosen by its key instead of by `oneOf`, for the yes-or-no check:
 * `oneOf` tries every branch and makes error objects for the two that fail, 0.85 MB on a 2,000-step plan,
 * where `if` makes none. The same verdict: each branch is a closed object (additionalProperties: false), a
 * call requires `tool` and `args`, the others `none` or `irreversible`, so an object with `none` can only
 * match NoRollback, one with `irreversible` (and no `none`) only Irreversible, any other only RollbackCall
 * (test/schema/compile-cache.test.ts holds the check to the reporting validator's verdicts). A schema of
 * another shape is left as it is.
 */
function rollbackByKey(schema: {
  $defs?: { Step?: { properties?: { rollback?: Record<string, unknown> } } };
}): typeof schema {
  const rollback = schema.$defs?.Step?.properties?.rollback;
  const refs = (rollback?.oneOf as { $ref?: string }[] | undefined)?.map((branch) => branch.$ref);
  if (!rollback || refs?.join(" ") !== "#/$defs/RollbackCall #/$defs/NoRollback #/$defs/Irreversible") return schema;
  delete rollback.oneOf;
  Object.assign(rollback, {
    if: { type: "object", required: ["none"] },
    then: { $ref: "#/$defs/NoRollback" },
    else: {
      if: { type: "object", required: ["irreversible"] },
      then: { $ref: "#/$defs/Irreversible" },
      else: { $ref: "#/$defs/RollbackCall" },
    },
  });
  return schema;
}

let toolSetValidator: ValidateFunction<ToolSet> | undefined;
export function toolSetSchemaValidator(): ValidateFunction<ToolSet> {
  return (toolSetValidator ??= compileSchema<ToolSet>(JSON.parse(schemaText("tool"))));
}

export type { ErrorObject, ValidateFunction };

/** An ajv error's JSON Pointer as a path into the document (`~1` and `~0` unescaped, indexes as numbers). */
export function instancePath(error: Pick<ErrorObject, "instancePath">): Path {
  if (error.instancePath === "") return [];
  return error.instancePath
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/** ajv's errors as `line:col /pointer message`, located in the YAML they came from. */
export function locatedSchemaErrors(errors: readonly ErrorObject[], source: YamlSource): string[] {
  return errors.map((e) => {
    const where = source.locate(instancePath(e));
    return `${where.line}:${where.col} ${e.instancePath || "/"} ${e.message}`;
  });
}
