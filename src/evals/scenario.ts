/**
 * Eval scenarios: one folder per scenario under evals/scenarios/, holding
 * `scenario.yaml` (goal, fixture, what must hold and what must never happen)
 * and `reference.yaml` (a hand-written plan that reaches the goal).
 */
import { PlanfileError } from "../errors.js";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { createAjv } from "../schema/ajv.js";
import { compileExpect } from "../expect/index.js";

export const SCENARIOS_DIR = "evals/scenarios";
export const DEFAULT_MIN_STEPS = 5;
export const DEFAULT_THRESHOLDS: Thresholds = { node: 0.8, edge: 0.6, args: 0.7 };

/** A CEL expression over `world` (and `fixture`) that must be true at the end. */
export interface GoalCheck {
  that: string;
  says: string;
}

/** Steps calling `tool` whose args contain `args` (a subset match) must be risky. */
export interface RiskyMatcher {
  tool: string;
  args?: Record<string, unknown>;
  why: string;
  /** A plan may reach the goal without this step; by default it must be there. */
  optional?: boolean;
  /** `first`: only the first matching step in dependency order must be risky (e.g. the upsert that switches, not the one that restores the TTL after). */
  which?: "all" | "first";
}

/** A CEL expression over `calls` (the sandbox call log, every run of the plan) and `world` that must stay false. */
export interface Forbidden {
  never: string;
  says: string;
}

/** A part of the world that a rollback cannot give back, and why that is right. */
export interface Irreversible {
  path: string;
  why: string;
}

export interface Thresholds {
  node: number;
  edge: number;
  args: number;
}

export interface Scenario {
  name: string;
  goal: string;
  /** `goal` first, then the scenario's `goals:` (other wordings of the same ask), without repeats. */
  variants: string[];
  fixture: string;
  description: string;
  minSteps: number;
  goalChecks: GoalCheck[];
  risky: RiskyMatcher[];
  forbidden: Forbidden[];
  rollback: { statuses: string[]; irreversible: Irreversible[] };
  thresholds: Thresholds;
  /** The reference plan's YAML text and where it came from. */
  reference: { file: string; text: string };
}

const cel = { type: "string", minLength: 1 };
const scenarioSchema = {
  type: "object",
  additionalProperties: false,
  required: ["goal", "fixture", "description", "goalChecks", "risky", "forbidden"],
  properties: {
    goal: { type: "string", minLength: 1 },
    // Wordings of the same goal; the eval suite plans and grades each (see evals/scenarios/*/scenario.yaml).
    goals: { type: "array", items: { type: "string", minLength: 1 } },
    fixture: { type: "string", pattern: "^[a-z0-9][a-z0-9-]*$" },
    description: { type: "string" },
    minSteps: { type: "integer", minimum: 1 },
    goalChecks: {
      type: "array",
      minItems: 1,
      items: {
        type: "object",
        additionalProperties: false,
        required: ["that", "says"],
        properties: { that: cel, says: { type: "string" } },
      },
    },
    risky: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["tool", "why"],
        properties: {
          tool: { type: "string" },
          args: { type: "object" },
          why: { type: "string" },
          optional: { type: "boolean" },
          which: { enum: ["all", "first"] },
        },
      },
    },
    forbidden: {
      type: "array",
      minItems: 1,
      items: {
        type: "object",
        additionalProperties: false,
        required: ["never", "says"],
        properties: { never: cel, says: { type: "string" } },
      },
    },
    rollback: {
      type: "object",
      additionalProperties: false,
      properties: {
        statuses: { type: "array", items: { enum: ["rolled-back", "partially-rolled-back", "rollback-incomplete"] } },
        irreversible: {
          type: "array",
          items: {
            type: "object",
            additionalProperties: false,
            required: ["path", "why"],
            properties: { path: { type: "string" }, why: { type: "string" } },
          },
        },
      },
    },
    thresholds: {
      type: "object",
      additionalProperties: false,
      properties: { node: { type: "number" }, edge: { type: "number" }, args: { type: "number" } },
    },
  },
} as const;

let validate: ReturnType<ReturnType<typeof createAjv>["compile"]> | undefined;

export class ScenarioError extends PlanfileError {
  constructor(message: string) {
    super("SCENARIO_INVALID", message);
    this.name = "ScenarioError";
  }
}

/** Every scenario under `dir`, sorted by name; a broken one throws naming its file and what is wrong. */
export function loadScenarios(dir: string = SCENARIOS_DIR): Scenario[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(dir, e.name, "scenario.yaml")))
    .map((e) => loadScenario(join(dir, e.name)))
    .sort((a, b) => a.name.localeCompare(b.name));
}

export function loadScenario(folder: string): Scenario {
  const file = join(folder, "scenario.yaml");
  const data = parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  validate ??= createAjv().compile(scenarioSchema);
  if (!validate(data)) {
    const errors = (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message}`).join("; ");
    throw new ScenarioError(`${file}: not a valid scenario: ${errors}`);
  }
  const raw = data as Omit<Scenario, "name" | "reference" | "minSteps" | "rollback" | "thresholds"> & Partial<Scenario>;
  for (const expression of [...raw.goalChecks.map((c) => c.that), ...raw.forbidden.map((f) => f.never)]) {
    const compiled = compileExpect(expression);
    if (!compiled.ok) throw new ScenarioError(`${file}: \`${expression}\` is ${compiled.message}`);
  }
  const referenceFile = join(folder, "reference.yaml");
  if (!existsSync(referenceFile)) throw new ScenarioError(`${folder}: every scenario needs a reference.yaml plan`);
  return {
    name: folder.split(/[\\/]/).pop()!,
    goal: raw.goal,
    variants: [...new Set([raw.goal, ...((data.goals as string[] | undefined) ?? [])])],
    fixture: raw.fixture,
    description: raw.description,
    minSteps: raw.minSteps ?? DEFAULT_MIN_STEPS,
    goalChecks: raw.goalChecks,
    risky: raw.risky,
    forbidden: raw.forbidden,
    rollback: { statuses: raw.rollback?.statuses ?? ["rolled-back"], irreversible: raw.rollback?.irreversible ?? [] },
    thresholds: { ...DEFAULT_THRESHOLDS, ...raw.thresholds },
    reference: { file: referenceFile, text: readFileSync(referenceFile, "utf8") },
  };
}
