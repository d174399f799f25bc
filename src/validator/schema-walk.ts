import type { Path } from "../schema/source.js";
import type { JsonSchemaObject } from "../registry/types.js";

type SchemaObject = Record<string, unknown>;

/**
 * The sub-schema that governs `path` inside values of `root`, following
 * properties, items and local $refs. `undefined` means the schema does not say
 * (open objects, combinators), which callers treat as "anything goes".
 */
export function schemaAt(
  root: JsonSchemaObject,
  path: Path,
): { schema: JsonSchemaObject; closed: boolean } | { missing: true } | undefined {
  let current = deref(root, root);
  for (const seg of path) {
    if (typeof current !== "object") return undefined;
    if (typeof seg === "number") {
      const items = current.items;
      if (items === undefined) return undefined;
      current = deref(items as JsonSchemaObject, root);
      continue;
    }
    const props = current.properties as Record<string, JsonSchemaObject> | undefined;
    if (props && Object.hasOwn(props, seg)) {
      current = deref(props[seg]!, root);
    } else if (current.additionalProperties === false && props) {
      return { missing: true };
    } else if (typeof current.additionalProperties === "object") {
      current = deref(current.additionalProperties as JsonSchemaObject, root);
    } else return undefined;
  }
  return { schema: current, closed: true };
}

function deref(schema: JsonSchemaObject, root: JsonSchemaObject): JsonSchemaObject {
  let current = schema;
  for (let hops = 0; hops < 16 && typeof current === "object" && typeof current.$ref === "string"; hops++) {
    const ref = current.$ref as string;
    if (!ref.startsWith("#/")) return true;
    let target: unknown = root;
    for (const part of ref.slice(2).split("/"))
      target = (target as SchemaObject | undefined)?.[part.replace(/~1/g, "/").replace(/~0/g, "~")];
    current = (target as JsonSchemaObject | undefined) ?? true;
  }
  return current;
}

/** The JSON types a schema admits, or undefined when it does not say. */
export function schemaTypes(schema: JsonSchemaObject): Set<string> | undefined {
  if (typeof schema !== "object") return undefined;
  const t = schema.type;
  if (typeof t === "string") return new Set([t]);
  if (Array.isArray(t)) return new Set(t as string[]);
  if ("const" in schema) return new Set([jsonType(schema.const)]);
  if (Array.isArray(schema.enum)) return new Set((schema.enum as unknown[]).map(jsonType));
  return undefined;
}

export function jsonType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

/** Can a value of one of `actual`'s types satisfy a slot that accepts `expected`? */
export function typesCompatible(actual: Set<string> | undefined, expected: Set<string> | undefined): boolean {
  if (!actual || !expected) return true;
  for (const a of actual) {
    if (expected.has(a)) return true;
    if (a === "integer" && expected.has("number")) return true;
    if (a === "number" && expected.has("integer")) return true;
  }
  return false;
}
