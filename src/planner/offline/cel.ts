/** CEL for method conditions (bounded like `expect:`, see src/expect/cel.ts), with integers handed back as plain numbers (cel-js returns bigint). */
import { parseBounded } from "../../expect/cel.js";

export type CelProgram = (vars: Record<string, unknown>) => unknown;

export function parse(expression: string): CelProgram {
  const program = parseBounded(expression);
  return (vars) => plain(program(vars));
}

function plain(value: unknown): unknown {
  if (typeof value === "bigint") return Number(value);
  if (Array.isArray(value)) return value.map(plain);
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), plain(v)]));
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  return value;
}
