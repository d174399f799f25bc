/**
 * The JSON schema a model's answer must follow, derived from
 * schemas/plan.schema.json so the two cannot drift: the plan's steps (plus a
 * `risky` flag), or a request to read more state first.
 */
import { readFileSync } from "node:fs";
import { SCHEMA_DIR } from "../schema/ajv.js";

type Schema = Record<string, unknown>;

let cached: Schema | undefined;

export function answerSchema(): Schema {
  if (cached) return cached;
  const plan = JSON.parse(readFileSync(`${SCHEMA_DIR}plan.schema.json`, "utf8")) as { $defs: Record<string, Schema> };
  const { $defs } = plan;
  const step = $defs.Step!;
  cached = {
    type: "object",
    additionalProperties: false,
    properties: {
      steps: { type: "array", minItems: 1, items: { $ref: "#/$defs/Step" } },
      gather: {
        type: "array",
        description: "Read-only calls to make before planning; only in the first answer.",
        items: {
          type: "object",
          additionalProperties: false,
          required: ["id", "tool", "args"],
          properties: {
            id: { $ref: "#/$defs/Id" },
            tool: { $ref: "#/$defs/ToolName" },
            args: { $ref: "#/$defs/Args" },
          },
        },
      },
    },
    $defs: {
      ...$defs,
      Step: {
        ...step,
        properties: {
          ...(step.properties as Schema),
          risky: { type: "boolean", description: "A human must confirm this step before the run." },
        },
      },
    },
  };
  return cached;
}
