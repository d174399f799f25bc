/**
 * The JSON schema a model's answer must follow, built per request from the
 * tools it was offered so constrained decoding (vLLM, llama.cpp, Ollama,
 * OpenAI structured outputs) can stop an invented tool or argument before it
 * is written: each offered tool is a step variant keyed by `tool`, whose
 * `args` are that tool's own input schema. The rest of a step comes from
 * schemas/plan.schema.json, so the two cannot drift. An answer is one of:
 * the plan's steps, a read round (`gather`, and `tools` to see more), or
 * `cannot` with the capability that is missing.
 */
import { readFileSync } from "node:fs";
import type { ToolDefinition } from "../registry/types.js";
import { SCHEMA_DIR } from "../schema/ajv.js";

type Schema = Record<string, unknown>;

/** A `${{ … }}` reference may stand for any argument value; the validator checks its type against the output. */
const REFERENCE: Schema = { type: "string", pattern: "^\\$\\{\\{.+\\}\\}$" };

export interface Offer {
  tools: readonly ToolDefinition[];
  /** Tools a rollback may call besides the offered ones (their compensations). */
  undoTools: readonly string[];
  /** Read-only tools the model may call in its read round; empty when it may not. */
  readTools: readonly string[];
  /** Tools it may ask to see in its read round. */
  others: readonly string[];
}

let planDefs: Record<string, Schema> | undefined;
function defs(): Record<string, Schema> {
  planDefs ??= (JSON.parse(readFileSync(`${SCHEMA_DIR}plan.schema.json`, "utf8")) as { $defs: Record<string, Schema> })
    .$defs;
  return planDefs;
}

export function answerSchema(offer: Offer): Schema {
  const $defs = defs();
  const step = $defs.Step!;
  const base = step.properties as Schema;
  // The plan's rollback call (with `override` where the plan schema has one), its tool limited to those offered.
  const call = $defs.RollbackCall ?? $defs.ToolCall!;
  const rollbackTools = [...new Set([...offer.tools.map((t) => t.name), ...offer.undoTools])];
  // Shared parts are definitions each variant refers to, so the schema grows by a tool's args only.
  const shared: Schema = {
    Rollback: {
      anyOf: [
        { ...call, properties: { ...(call.properties as Schema), tool: { enum: rollbackTools } } },
        { $ref: "#/$defs/NoRollback" },
        ...($defs.Irreversible ? [{ $ref: "#/$defs/Irreversible" }] : []),
      ],
    },
  };
  const common: Schema = {};
  for (const [name, property] of Object.entries(base as Record<string, Schema>).map(
    ([k, v]) => [k, lean(v)] as const,
  )) {
    if (name === "tool" || name === "args" || name === "rollback") continue;
    shared[`Step_${name}`] = property;
    common[name] = { $ref: `#/$defs/Step_${name}` };
  }
  shared.Step_risky = { type: "boolean" };
  shared.Reference = REFERENCE;
  common.risky = { $ref: "#/$defs/Step_risky" };
  const variants = offer.tools.map((tool) => ({
    type: "object",
    additionalProperties: false,
    required: step.required,
    properties: {
      ...common,
      tool: { const: tool.name },
      args: withReferences(lean(typeof tool.inputSchema === "object" ? tool.inputSchema : {})),
      rollback: { $ref: "#/$defs/Rollback" },
    },
  }));
  const properties: Schema = {
    steps: { type: "array", minItems: 1, items: variants.length > 0 ? { anyOf: variants } : { $ref: "#/$defs/Step" } },
    cannot: {
      type: "object",
      additionalProperties: false,
      required: ["reason", "missing"],
      description: "Only when no plan with these tools can reach the goal.",
      properties: {
        reason: { type: "string", minLength: 1 },
        missing: { type: "string", minLength: 1, description: "The capability (tool or permission) that is lacking." },
      },
    },
  };
  if (offer.readTools.length > 0) {
    properties.gather = {
      type: "array",
      description: "Read-only calls to make before planning; only in the first answer.",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["id", "tool", "args"],
        properties: { id: { $ref: "#/$defs/Id" }, tool: { enum: offer.readTools }, args: { $ref: "#/$defs/Args" } },
      },
    };
    if (offer.others.length > 0)
      properties.tools = {
        type: "array",
        description: "More tools to see in full before planning; only with gather.",
        items: { enum: offer.others },
      };
  }
  // Only the definitions the answer refers to: the plan's envelope is the planner's business, not the model's.
  const used = variants.length > 0 ? ["Id", "Args", "NoRollback", "Irreversible"] : Object.keys($defs);
  const kept = {
    ...Object.fromEntries(used.filter((k) => $defs[k]).map((k) => [k, lean($defs[k]!)])),
    ...(variants.length > 0 ? shared : {}),
  };
  return { type: "object", additionalProperties: false, minProperties: 1, properties, $defs: kept };
}

/** Drops what only people read (descriptions, titles, examples): a grammar does not need them, and they cost tokens. */
export function lean(schema: Schema): Schema {
  const walk = (value: unknown, inProperties: boolean): unknown => {
    if (Array.isArray(value)) return value.map((v) => walk(v, false));
    if (!value || typeof value !== "object") return value;
    const out: Schema = {};
    for (const [k, v] of Object.entries(value)) {
      if (!inProperties && (k === "description" || k === "title" || k === "examples" || k === "$comment")) continue;
      out[k] = walk(v, !inProperties && (k === "properties" || k === "$defs" || k === "patternProperties"));
    }
    return out;
  };
  return walk(schema, false) as Schema;
}

/** Every leaf of an args schema also accepts a reference string; objects and arrays are walked. */
export function withReferences(schema: Schema): Schema {
  const out: Schema = { ...schema };
  if (schema.properties && typeof schema.properties === "object")
    out.properties = Object.fromEntries(
      Object.entries(schema.properties as Record<string, unknown>).map(([k, v]) => [k, leaf(v)]),
    );
  if (schema.items && typeof schema.items === "object" && !Array.isArray(schema.items)) out.items = leaf(schema.items);
  return out;
}

function leaf(value: unknown): unknown {
  if (!value || typeof value !== "object") return value;
  const s = value as Schema;
  if (s.type === "object" || s.type === "array") return withReferences(s);
  return { anyOf: [s, { $ref: "#/$defs/Reference" }] };
}
