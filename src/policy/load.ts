/**
 * Reads an operator's policy file (`planfile.policy.yaml`, schema
 * schemas/policy.schema.json) and compiles its CEL rules. A broken policy is
 * an error naming file:line:col: a policy that silently applied nothing would
 * be worse than none.
 */
import { existsSync, readFileSync } from "node:fs";
import { relative, resolve } from "node:path";
import { parse } from "@marcbachmann/cel-js";
import { ManifestError } from "../errors.js";
import { locatedSchemaErrors, sharedAjv, SCHEMA_DIR, type ValidateFunction } from "../schema/ajv.js";
import { parseYamlSource } from "../schema/source.js";
import type { Policy as PolicyFile } from "../schema/types.generated.js";
import { EMPTY_POLICY, type CompiledPolicyRule, type Policy, type PolicyCall } from "./types.js";

export const DEFAULT_POLICY_FILE = "planfile.policy.yaml";

/**
 * The policy in force: `file` when given, else `$PLANFILE_POLICY`, else
 * `planfile.policy.yaml` in the working directory when it exists, else none.
 * A file named explicitly (argument or variable) must exist.
 */
export function loadPolicy(
  file?: string | false,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Policy {
  if (file === false) return EMPTY_POLICY;
  const named = file ?? env.PLANFILE_POLICY;
  const path = resolve(named ?? DEFAULT_POLICY_FILE);
  const shown = relative(process.cwd(), path) || path;
  if (!named && !existsSync(path)) return EMPTY_POLICY;
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (cause) {
    throw new ManifestError(shown, `cannot read the policy file: ${(cause as Error).message}`, { cause });
  }
  return parsePolicy(text, shown);
}

export function parsePolicy(text: string, file: string): Policy {
  const parsed = parseYamlSource(text, file);
  if (!parsed.ok)
    throw new ManifestError(file, parsed.problems.map((p) => `${p.line}:${p.col} ${p.message}`).join("; "));
  const at = (path: (string | number)[]) => {
    const where = parsed.source.locate(path);
    return `${where.line}:${where.col}`;
  };
  const validate = policyValidator();
  if (!validate(parsed.data)) {
    const lines = locatedSchemaErrors(validate.errors ?? [], parsed.source);
    throw new ManifestError(file, `not a valid policy (schemas/policy.schema.json): ${lines.join("; ")}`);
  }
  const data: PolicyFile = parsed.data;
  const vars = data.vars ?? {};
  const seen = new Set<string>();
  const rules = data.rules.map((rule, i): CompiledPolicyRule => {
    if (seen.has(rule.name))
      throw new ManifestError(file, `${at(["rules", i, "name"])} rule \`${rule.name}\` is declared twice`);
    seen.add(rule.name);
    let program: (vars: Record<string, unknown>) => unknown;
    try {
      program = parse(rule.when);
    } catch (error) {
      throw new ManifestError(
        file,
        `${at(["rules", i, "when"])} rule \`${rule.name}\`: not a valid CEL expression: ${firstLine(error)}`,
      );
    }
    const applies = (call: PolicyCall) => {
      try {
        const value = program({ ...call, vars });
        if (typeof value === "boolean") return { applies: value };
        return { applies: true, error: `evaluated to ${JSON.stringify(value)}, not a boolean` };
      } catch (error) {
        return { applies: true, error: firstLine(error) };
      }
    };
    // A typo in a variable name would make the rule apply to every call; refuse it now instead.
    const probe = applies({
      tool: "",
      effect: "read",
      args: {},
      role: "step",
      step: "",
      stepTool: "",
      compensation: false,
    });
    if (probe.error?.startsWith("Unknown variable"))
      throw new ManifestError(
        file,
        `${at(["rules", i, "when"])} rule \`${rule.name}\`: ${probe.error}; a rule may read tool, effect, args, role, step, stepTool, compensation and vars`,
      );
    const candidates = literalsOf(rule.when, vars);
    return {
      name: rule.name,
      reason: rule.reason,
      action: rule.action ?? "risky",
      when: rule.when,
      applies,
      candidates,
    };
  });
  return { file, rules };
}

let validator: ValidateFunction<PolicyFile> | undefined;
function policyValidator(): ValidateFunction<PolicyFile> {
  return (validator ??= sharedAjv().compile<PolicyFile>(
    JSON.parse(readFileSync(`${SCHEMA_DIR}policy.schema.json`, "utf8")),
  ));
}

/** Quoted strings and numbers in the expression, and every string and number in `vars`, deduplicated and bounded. */
function literalsOf(when: string, vars: unknown): unknown[] {
  const found = new Set<unknown>();
  for (const m of when.matchAll(/'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"/g)) found.add(m[1] ?? m[2]);
  for (const m of when.matchAll(/(?<![\w.'"])(-?\d+(?:\.\d+)?)(?![\w'"])/g)) {
    const n = Number(m[1]);
    for (const v of [n, n + 1, n - 1]) found.add(v);
  }
  const stack = [vars];
  while (stack.length > 0 && found.size < 1000) {
    const v = stack.shift();
    if (typeof v === "string" || typeof v === "number") found.add(v);
    else if (v && typeof v === "object") stack.push(...Object.values(v));
  }
  return [...found].slice(0, 1000);
}

function firstLine(error: unknown): string {
  return String(error instanceof Error ? error.message : error).split("\n")[0]!;
}
