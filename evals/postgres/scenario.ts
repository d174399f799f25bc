/**
 * Scenarios of the real-systems eval suite: evals/postgres/<name>/scenario.yaml.
 * A goal in words, what to set up on the lab first (tool calls, SQL, an open
 * session) and undo after, and goal checks that are SQL queries on the final
 * state (or a login attempt, for credentials).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { PlanfileError } from "../../src/errors.js";

export const PG_SCENARIOS_DIR = "evals/postgres";

export interface SqlTarget {
  cluster: string;
  database: string;
}

export type Action =
  | { tool: string; args: Record<string, unknown> }
  | { sql: SqlTarget & { sql: string } }
  | { openSession: SqlTarget & { role: string; password: string } };

export type GoalCheck = { says: string } & (
  | (SqlTarget & { sql: string; sameAs?: SqlTarget })
  | { login: { cluster: string; role: string; accepted: boolean; password?: string; secret?: string } }
);

export interface PgScenario {
  name: string;
  goal: string;
  description?: string;
  /** Secrets the plan reads (`${{ secrets.X }}`); the suite makes a fresh random value for each. */
  secrets: string[];
  setup: Action[];
  teardown: Action[];
  /** Step ids that must be in riskySteps. */
  risky: string[];
  /** The planner must refuse this goal, with a message containing this text. */
  refused?: string;
  goalChecks: GoalCheck[];
  rollback?: { backToStart: boolean; why?: string };
}

export function loadPgScenarios(dir = PG_SCENARIOS_DIR): PgScenario[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(dir, e.name, "scenario.yaml")))
    .map((e) => e.name)
    .sort()
    .map((name) => {
      const file = join(dir, name, "scenario.yaml");
      const raw = parse(readFileSync(file, "utf8")) as Partial<PgScenario> | null;
      if (!raw || typeof raw.goal !== "string" || !Array.isArray(raw.goalChecks) || raw.goalChecks.length === 0)
        throw new PlanfileError("SCENARIO_INVALID", `${file}: needs a goal and at least one goal check`);
      return {
        name,
        goal: raw.goal,
        description: raw.description,
        secrets: raw.secrets ?? [],
        setup: raw.setup ?? [],
        teardown: raw.teardown ?? [],
        risky: raw.risky ?? [],
        refused: raw.refused,
        goalChecks: raw.goalChecks,
        rollback: raw.rollback,
      };
    });
}
