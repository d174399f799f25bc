import { Ajv2020 } from "ajv/dist/2020.js";
import type { ErrorObject, ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Path, YamlSource } from "./source.js";
import type { Plan, ToolSet } from "./types.generated.js";

// ajv-formats is CommonJS; under ESM its default export is nested one level.
const addFormats = ((addFormatsModule as { default?: unknown }).default ?? addFormatsModule) as unknown as (
  ajv: Ajv2020,
) => Ajv2020;

export const SCHEMA_DIR = fileURLToPath(new URL("../../schemas/", import.meta.url));

/** One ajv instance for the process: schemas are compiled once and cached by ajv. */
export function createAjv(): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: true, verbose: true });
  addFormats(ajv);
  return ajv;
}

let shared: Ajv2020 | undefined;
export function sharedAjv(): Ajv2020 {
  return (shared ??= createAjv());
}

function loadSchema(name: string): object {
  return JSON.parse(readFileSync(`${SCHEMA_DIR}${name}.schema.json`, "utf8"));
}

let planValidator: ValidateFunction<Plan> | undefined;
export function planSchemaValidator(): ValidateFunction<Plan> {
  return (planValidator ??= sharedAjv().compile<Plan>(loadSchema("plan")));
}

let toolSetValidator: ValidateFunction<ToolSet> | undefined;
export function toolSetSchemaValidator(): ValidateFunction<ToolSet> {
  return (toolSetValidator ??= sharedAjv().compile<ToolSet>(loadSchema("tool")));
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
