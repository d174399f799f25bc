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

/** A fresh ajv instance with planfile's options and every format of ajv-formats. */
export function createAjv(): Ajv2020 {
  const { Ajv2020: Ajv } = require("ajv/dist/2020.js") as typeof import("ajv/dist/2020.js");
  const addFormats = require("ajv-formats") as (ajv: Ajv2020) => Ajv2020;
  // `code.source` keeps each validator's source, so it can be written to the cache as standalone code.
  const ajv = new Ajv({ ...AJV_OPTIONS, code: { source: true } });
  addFormats(ajv);
  return ajv;
}

let shared: Ajv2020 | undefined;
/** One ajv instance for the process: schemas are compiled once and cached by ajv. */
export function sharedAjv(): Ajv2020 {
  return (shared ??= createAjv());
}

let salt: string | undefined;
/** What else a compiled validator depends on: ajv's version and options (and this cache's own format). */
export function compilerSalt(): string {
  salt ??= `ajv ${(require("ajv/package.json") as { version: string }).version} ${JSON.stringify(AJV_OPTIONS)} standalone/1`;
  return salt;
}

/**
 * `sharedAjv().compile(schema)`, through the on-disk cache: a schema compiled
 * once (by this or an earlier process) is loaded as ajv's standalone code,
 * without loading or running ajv's compiler. The key is a hash of the schema
 * text and of the compiler; the code is checked against its hash on reading.
 */
export function compileSchema<T = unknown>(schema: unknown): ValidateFunction<T> {
  const key = sha256(compilerSalt(), JSON.stringify(schema));
  const cached = readEntry("ajv", key);
  if (cached !== undefined) {
    const loaded = evaluate<T>(cached);
    if (loaded) return loaded;
  }
  const ajv = sharedAjv();
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
export function planSchemaValidator(): ValidateFunction<Plan> {
  return (planValidator ??= compileSchema<Plan>(JSON.parse(schemaText("plan"))));
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
