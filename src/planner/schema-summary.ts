/**
 * A tool's JSON Schema in a line a model reads cheaply:
 * `{database: string, copies?: integer>=1, mode?: "fast"|"safe"}`.
 * Costs grow with the schema, never with the catalogue.
 */
import type { JsonSchemaObject } from "../registry/types.js";

type Schema = Record<string, unknown>;

export function describeSchema(schema: JsonSchemaObject, depth = 0): string {
  if (typeof schema === "boolean") return schema ? "any" : "never";
  const s = schema as Schema;
  if (Array.isArray(s.enum)) return s.enum.map((v) => JSON.stringify(v)).join("|");
  if ("const" in s) return JSON.stringify(s.const);
  for (const key of ["oneOf", "anyOf"] as const) {
    if (Array.isArray(s[key])) return (s[key] as JsonSchemaObject[]).map((x) => describeSchema(x, depth)).join(" | ");
  }
  const type = Array.isArray(s.type) ? s.type.join("|") : (s.type as string | undefined);
  if (type === "object" || (!type && s.properties)) {
    const props = (s.properties ?? {}) as Record<string, JsonSchemaObject>;
    const required = new Set((s.required as string[] | undefined) ?? []);
    const names = Object.keys(props);
    if (names.length === 0) return s.additionalProperties === false ? "{}" : "object";
    if (depth >= 2) return "object";
    const fields = names.map((n) => `${n}${required.has(n) ? "" : "?"}: ${describeSchema(props[n]!, depth + 1)}`);
    if (s.additionalProperties !== false) fields.push("…");
    return `{${fields.join(", ")}}`;
  }
  if (type === "array") return `${describeSchema((s.items as JsonSchemaObject | undefined) ?? true, depth + 1)}[]`;
  return `${type ?? "any"}${bounds(s)}`;
}

function bounds(s: Schema): string {
  const parts: string[] = [];
  if (typeof s.minimum === "number") parts.push(`>=${s.minimum}`);
  if (typeof s.maximum === "number") parts.push(`<=${s.maximum}`);
  if (typeof s.pattern === "string") parts.push(` /${s.pattern}/`);
  if (typeof s.format === "string") parts.push(` (${s.format})`);
  return parts.join("");
}

/** The output's top-level fields with their types, for `returns:`; only their names when that runs long. */
export function outputFields(schema: JsonSchemaObject, maxChars = 120): string {
  const full = describeSchema(schema, 1);
  if (full.length <= maxChars || typeof schema !== "object") return full;
  const names = Object.keys((schema.properties ?? {}) as object);
  return names.length > 0 ? `{${names.join(", ")}}` : full;
}
