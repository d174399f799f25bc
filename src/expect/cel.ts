/**
 * One CEL environment for everything a plan or a method file may evaluate
 * (`expect:`, `verify:`, method conditions), bounded at parse time and at run
 * time, because those expressions come from files we do not fully trust.
 *
 * - Parse: length, AST size and depth are capped.
 * - Run: every node the interpreter evaluates counts against a step budget and
 *   a wall-clock deadline, and no intermediate string or list may exceed a
 *   size cap. cel-js has no such hook, so the environment's evaluator gets a
 *   counting `run` (see docs/decisions/0160-bounded-cel.md); a test with a
 *   nest of comprehensions proves the hook still bites.
 * - `matches` runs on RE2 (re2js, linear time) instead of JavaScript's
 *   backtracking RegExp: cel-js refuses to override its overload, so parsed
 *   calls are renamed to our own function before the first evaluation.
 */
import { createRequire } from "node:module";
import { Environment } from "@marcbachmann/cel-js";
import type { RE2JS } from "re2js";

// Loaded on the first `matches`: every CLI imports this module, few plans use regular expressions.
const require = createRequire(import.meta.url);
let re2: typeof RE2JS | undefined;

export const CEL_LIMITS = {
  /** Characters in one expression. */
  maxLength: 4096,
  /** Interpreter steps per evaluation (node visits, comprehension iterations included). */
  maxSteps: 200_000,
  /** Wall-clock time per evaluation. */
  maxMs: 1000,
  /** Characters in any intermediate string, elements in any intermediate list. */
  maxSize: 100_000,
} as const;

export class CelBudgetExceeded extends Error {
  constructor(what: string) {
    super(`${what}; simplify the expression`);
    this.name = "CelBudgetExceeded";
  }
}

export type CelProgram = (vars: Record<string, unknown>) => unknown;

const env = new Environment({
  unlistedVariablesAreDyn: true,
  limits: { maxAstNodes: 2000, maxDepth: 32, maxListElements: 1000, maxMapEntries: 1000, maxCallArguments: 32 },
});

const LINEAR_MATCHES = "__planfileMatches";
const regexCache = new Map<string, RE2JS>();

function linearMatches(text: string, pattern: string): boolean {
  return compileRegex(pattern).test(text);
}
env.registerFunction(`string.${LINEAR_MATCHES}(string): bool`, linearMatches);
env.registerFunction(`${LINEAR_MATCHES}(string, string): bool`, linearMatches);

/** Compiles a `matches` pattern with RE2; throws a plain message for patterns RE2 refuses (backreferences, lookaround). */
export function compileRegex(pattern: string): RE2JS {
  let regex = regexCache.get(pattern);
  if (!regex) {
    try {
      re2 ??= (require("re2js") as typeof import("re2js")).RE2JS;
      regex = re2.compile(pattern);
    } catch (error) {
      throw new Error(
        `matches pattern ${JSON.stringify(pattern)} is not an RE2 regular expression (${(error as Error).message}); backreferences and lookaround are not supported`,
      );
    }
    if (regexCache.size > 500) regexCache.clear();
    regexCache.set(pattern, regex);
  }
  return regex;
}

let budget: { steps: number; deadline: number; exceeded?: string } | undefined;
let hooked = false;

interface Evaluator {
  run(ast: unknown, ctx: unknown): unknown;
}

/** Replaces the evaluator's `run` with one that counts steps and checks sizes. */
function hook(evaluator: Evaluator): void {
  if (hooked) return;
  hooked = true;
  const run = evaluator.run.bind(evaluator);
  evaluator.run = (ast, ctx) => {
    if (budget) {
      if (budget.exceeded) throw new CelBudgetExceeded(budget.exceeded);
      const steps = ++budget.steps;
      if (steps > CEL_LIMITS.maxSteps) fail(`evaluation took over ${CEL_LIMITS.maxSteps} steps`);
      if ((steps & 1023) === 0 && performance.now() > budget.deadline)
        fail(`evaluation took over ${CEL_LIMITS.maxMs} ms`);
    }
    const value = run(ast, ctx);
    if (budget && (typeof value === "string" || Array.isArray(value)) && value.length > CEL_LIMITS.maxSize)
      fail(`a value grew over ${CEL_LIMITS.maxSize} ${typeof value === "string" ? "characters" : "elements"}`);
    return value;
  };
}

function fail(what: string): never {
  if (budget) budget.exceeded ??= what;
  throw new CelBudgetExceeded(what);
}

interface Node {
  op: string;
  args: unknown;
}

/** Points every `matches` call at the RE2 implementation, and checks literal patterns now. */
function useLinearMatches(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) useLinearMatches(item);
    return;
  }
  if (!node || typeof node !== "object" || !("op" in node)) return;
  const { op, args } = node as Node;
  if ((op === "rcall" || op === "call") && Array.isArray(args) && args[0] === "matches") {
    args[0] = LINEAR_MATCHES;
    const params = (op === "rcall" ? args[2] : args[1]) as Node[] | undefined;
    const pattern = params?.at(-1);
    if (pattern?.op === "value" && typeof pattern.args === "string") compileRegex(pattern.args);
  }
  useLinearMatches(args);
}

/**
 * Parses a CEL expression within the parse budget; throws with a message on
 * a bad or oversized expression. The program throws `CelBudgetExceeded` when
 * one evaluation runs past the run-time budget.
 */
export function parseBounded(expression: string): CelProgram {
  if (expression.length > CEL_LIMITS.maxLength)
    throw new Error(`the expression is ${expression.length} characters; at most ${CEL_LIMITS.maxLength} are allowed`);
  const program = env.parse(expression) as unknown as ((vars: Record<string, unknown>) => unknown) & { ast: unknown };
  useLinearMatches(program.ast);
  return (vars) => {
    if (!hooked) captureEvaluator();
    const outer = budget;
    budget = { steps: 0, deadline: performance.now() + CEL_LIMITS.maxMs };
    try {
      const value = program(vars);
      if (budget.exceeded) throw new CelBudgetExceeded(budget.exceeded);
      return value;
    } finally {
      budget = outer;
    }
  };
}

/** Finds the environment's evaluator: the root node of a parsed program receives it on evaluation. */
function captureEvaluator(): void {
  const probe = env.parse("true") as unknown as (() => unknown) & { ast: { evaluate: (...a: unknown[]) => unknown } };
  const node = probe.ast;
  const evaluate = node.evaluate;
  node.evaluate = function (this: unknown, evaluator: unknown, ...rest: unknown[]) {
    hook(evaluator as Evaluator);
    return evaluate.call(this, evaluator, ...rest);
  };
  probe();
  if (!hooked) throw new Error("internal: the CEL evaluator could not be bounded (cel-js changed?)");
}
