/**
 * `expect:` expressions are CEL (github.com/google/cel-spec): side-effect free,
 * bounded in size and time (cel.ts), never `eval`. They see `outputs` (the step's output) and `args`.
 */
import { parseBounded } from "./cel.js";

export type CompiledExpect = (vars: { outputs: unknown; args: unknown }) => unknown;

export type CompileResult = { ok: true; evaluate: CompiledExpect } | { ok: false; message: string };

const cache = new Map<string, CompileResult>();

export function compileExpect(expression: string): CompileResult {
  let result = cache.get(expression);
  if (!result) {
    try {
      const program = parseBounded(expression);
      result = { ok: true, evaluate: (vars) => program(vars as Record<string, unknown>) };
      if (cache.size > 1000) cache.clear();
    } catch (error) {
      result = { ok: false, message: `not a valid CEL expression: ${firstLine(error)}` };
    }
    cache.set(expression, result);
  }
  return result;
}

/** Evaluates an expectation; anything but `true` is a failed expectation, with the reason. */
export function checkExpect(
  expression: string,
  vars: { outputs: unknown; args: unknown },
): { ok: true } | { ok: false; message: string } {
  const compiled = compileExpect(expression);
  if (!compiled.ok) return compiled;
  try {
    const value = compiled.evaluate(vars);
    if (value === true) return { ok: true };
    return {
      ok: false,
      message: `expect \`${expression}\` evaluated to ${JSON.stringify(typeof value === "bigint" ? String(value) : value)}, not true`,
    };
  } catch (error) {
    return { ok: false, message: `expect \`${expression}\` could not be evaluated: ${firstLine(error)}` };
  }
}

function firstLine(error: unknown): string {
  return String(error instanceof Error ? error.message : error).split("\n")[0]!;
}
