/**
 * Goals the planner must refuse (evals/refusals.yaml): each names the reason
 * code it must give and a piece of text its message must contain. A refusal
 * passes only when nothing was planned.
 */
import { existsSync, readFileSync } from "node:fs";
import { parse } from "yaml";
import { createAjv } from "../schema/ajv.js";
import { ScenarioError } from "./scenario.js";

export const REFUSALS_FILE = "evals/refusals.yaml";

export interface Refusal {
  /** 1-based position in the file: the case is `refusals/<n>`. */
  n: number;
  goal: string;
  fixture: string;
  /** The reason code the planner must give (`UNKNOWN_ENTITY`, `NO_METHOD`, …). */
  reason: string;
  /** Text the planner's message (its stderr) must contain. */
  says: string;
}

const schema = {
  type: "object",
  additionalProperties: false,
  required: ["refusals"],
  properties: {
    refusals: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["goal", "reason", "says"],
        properties: {
          goal: { type: "string", minLength: 1 },
          fixture: { type: "string", pattern: "^[a-z0-9][a-z0-9-]*$" },
          reason: { type: "string", pattern: "^[A-Z][A-Z_]*$" },
          says: { type: "string", minLength: 1 },
        },
      },
    },
  },
} as const;

let validate: ReturnType<ReturnType<typeof createAjv>["compile"]> | undefined;

/** The must-refuse goals; none when the file does not exist. */
export function loadRefusals(file: string = REFUSALS_FILE): Refusal[] {
  if (!existsSync(file)) return [];
  const data = parse(readFileSync(file, "utf8")) as unknown;
  validate ??= createAjv().compile(schema);
  if (!validate(data)) {
    const errors = (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message}`).join("; ");
    throw new ScenarioError(`${file}: not a valid refusals file: ${errors}`);
  }
  const { refusals } = data as { refusals: { goal: string; fixture?: string; reason: string; says: string }[] };
  return refusals.map((r, i) => ({ n: i + 1, ...r, fixture: r.fixture ?? "default" }));
}

export interface RefusalVerdict {
  pass: boolean;
  score: number;
  reason: string;
}

/** A must-refuse goal passes when nothing was planned, the reason code matches and the message says `says`. */
export function gradeRefusal(
  refusal: Refusal,
  output: string,
  response: { ok?: unknown; reason?: unknown; stderr?: unknown } | undefined,
): RefusalVerdict {
  const no = (reason: string): RefusalVerdict => ({ pass: false, score: 0, reason });
  if (output.trim() !== "" || response?.ok === true)
    return no(`planned instead of refusing (expected ${refusal.reason}: "${refusal.says}")`);
  const reason = String(response?.reason ?? "none");
  const stderr = String(response?.stderr ?? "");
  const said = stderr.split("\n").find((l) => l.trim() && !l.startsWith("could not plan") && !l.startsWith("reason:"));
  if (reason !== refusal.reason)
    return no(`refused with ${reason}, expected ${refusal.reason}${said ? `: ${said.trim().slice(0, 200)}` : ""}`);
  if (!stderr.includes(refusal.says))
    return no(
      `refused with ${reason}, but the message does not say "${refusal.says}": ${said?.trim().slice(0, 200) ?? "(empty)"}`,
    );
  return { pass: true, score: 1, reason: `refused with ${reason}, saying "${refusal.says}"` };
}
