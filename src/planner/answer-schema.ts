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
  const rollbackTools = [...new Set([...offer.tools.map((t) => t.name), ...offer.undoTools])];
  const variants = offer.tools.map((tool) => ({
    ...step,
    properties: {
      ...base,
      tool: { const: tool.name },
      args: withReferences(typeof tool.inputSchema === "object" ? tool.inputSchema : {}),
      risky: { type: "boolean", description: "A human must confirm this step before the run." },
      rollback: {
        description: "Omit to use the tool's declared undo; else a call that undoes exactly this step, or {none}.",
        anyOf: [
          {
            ...$defs.ToolCall,
            properties: { ...($defs.ToolCall!.properties as Schema), tool: { enum: rollbackTools } },
          },
          { $ref: "#/$defs/NoRollback" },
        ],
      },
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
  return { type: "object", additionalProperties: false, minProperties: 1, properties, $defs };
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
  return { anyOf: [s, REFERENCE] };
}
