/**
 * Limits on a goal's text. A goal is a sentence or two; a 100 KB "goal" is a
 * mistake or an attack, refused before anything reads the world or asks a
 * model, and never echoed whole.
 */
import { PlanfileError } from "../../errors.js";

export const MAX_GOAL_CHARS = 4_000;
/** Messages quote at most this much of a goal. */
export const QUOTE_CHARS = 200;

/** A goal longer than MAX_GOAL_CHARS: a usage error (exit 2). */
export class GoalTooLongError extends PlanfileError {
  constructor(goal: string) {
    super(
      "USAGE",
      `the goal is ${goal.length} characters long; planfile reads goals of at most ${MAX_GOAL_CHARS}. Say what to do in a sentence or two (goal: ${quoteGoal(goal)})`,
    );
    this.name = "GoalTooLongError";
  }
}

export function checkGoalLength(goal: string): void {
  if (goal.length > MAX_GOAL_CHARS) throw new GoalTooLongError(goal);
}

/** The goal as messages quote it: JSON-quoted, cut after QUOTE_CHARS characters with the length said. */
export function quoteGoal(goal: string): string {
  const chars = [...goal];
  if (chars.length <= QUOTE_CHARS) return JSON.stringify(goal);
  return `${JSON.stringify(chars.slice(0, QUOTE_CHARS).join(""))}… (${chars.length} characters)`;
}
