import type { ErrorObject } from "ajv";
import { planSchemaCheck, planSchemaValidator } from "../schema/ajv.js";
import { readUntrustedFile } from "../schema/read-file.js";
import {
  parseYamlSource,
  SOURCE_LIMITS,
  type Location,
  type Path,
  type ParseResult,
  type Problem,
} from "../schema/source.js";
import { parseYamlFile } from "../schema/parse-cache.js";
import type { Plan } from "../schema/types.generated.js";
import type { Registry } from "../registry/registry.js";
import { formatPath } from "../references/index.js";
import { terminalText } from "../review/safe-text.js";
import { isValidated, isValidatedFor, issue, type ValidatedPlan } from "./validated.js";
import { dependencyOracle, findCycle, stepGraph, type StepGraph } from "./rules/graph.js";
import { rules, type RuleContext, type RuleProblem } from "./rules/index.js";
import { instancePath } from "../schema/ajv.js";

export type ValidationResult = ValidatedPlan | { ok: false; problems: Problem[]; plan?: Plan };

type Locate = (path: Path, options?: { key?: boolean }) => Location;

/**
 * parse → schema → rules. Returns every problem with its position; never
 * throws for anything a user could have written.
 */
export function validatePlanText(text: string, file: string, registry: Registry): ValidationResult {
  return validateParsed(parseYamlSource(text, file), file, registry);
}

function validateParsed(parsed: ParseResult, file: string, registry: Registry): ValidationResult {
  if (!parsed.ok) return parsed;
  // A valid plan keeps no YAML document: its nodes and positions weigh some 30 times the text (issue 16), and
  // only problems need positions.
  return validatePlanData(parsed.data, registry, (path, options) => parsed.source.locate(path, options), file);
}

export async function validatePlanFile(file: string, registry: Registry): Promise<ValidationResult> {
  const read = readUntrustedFile(file, { maxBytes: SOURCE_LIMITS.maxBytes, noun: "plan" });
  if (!read.ok) return { ok: false, problems: read.problems };
  // A plan file is read again unchanged (validate, run, CI): its data comes from the cache when it can.
  return validateParsed(parseYamlFile(read.text, file), file, registry);
}

/**
 * Steps by id (the first of a repeated id), as a view over the graph's index: a map with an entry per step, made
 * for each validation, lived through the young generation's collections (issue 16, item 4).
 */
function stepsById(plan: Plan, graph: StepGraph): RuleContext["steps"] {
  const { index } = graph;
  return {
    get(id) {
      const i = index.get(id);
      return i === undefined ? undefined : { step: plan.steps[i]!, index: i };
    },
    has: (id) => index.has(id),
    keys: () => index.keys(),
  };
}

/** Validates plan data already in memory; `locate` maps a path to a position (line 1 when there is no source). */
export function validatePlanData(
  data: unknown,
  registry: Registry,
  locate: Locate = () => ({ file: "<plan>", line: 1, col: 1 }),
  file = "<plan>",
): ValidationResult {
  const at = (p: RuleProblem): Problem => ({
    ...locate(p.path, { key: p.key }),
    file,
    rule: p.rule,
    path: p.path,
    // Messages quote the plan (ids, field names, values) and go to terminals: no escape sequence survives.
    message: terminalText(p.message),
  });

  if (!planSchemaCheck()(data)) {
    const validate = planSchemaValidator();
    validate(data);
    return { ok: false, problems: sortProblems(schemaProblems(validate.errors ?? []).map(at)) };
  }

  const plan = data;
  const graph = stepGraph(plan);
  const cycle = findCycle(plan, graph);
  const context: RuleContext = {
    plan,
    registry,
    steps: stepsById(plan, graph),
    graph,
    cycle,
    dependsOn: dependencyOracle(plan, cycle === undefined),
  };
  const problems: RuleProblem[] = [];
  for (const rule of Object.values(rules)) problems.push(...rule(context));
  if (problems.length > 0) return { ok: false, problems: sortProblems(problems.map(at)), plan };
  return issue(plan, registry, graph);
}

/** `input` as a validated plan: the validator's own token for `registry` as it is, anything else checked now. */
export function validatedFor(input: unknown, registry: Registry): ValidationResult {
  if (isValidatedFor(input, registry)) return input;
  return validatePlanData(isValidated(input) ? input.plan : input, registry);
}

/** Turns ajv's errors into messages a person can act on, one per real mistake. */
function schemaProblems(errors: ErrorObject[]): RuleProblem[] {
  // A failed oneOf also reports why each branch failed; the oneOf's own description says it better.
  // A set and a walk up each path, not a scan of every oneOf per error: thousands of bad steps stay linear.
  const oneOfPaths = new Set(errors.filter((e) => e.keyword === "oneOf").map((e) => e.instancePath));
  const underOneOf = (path: string): boolean => {
    for (let p = path; ; p = p.slice(0, p.lastIndexOf("/"))) {
      if (oneOfPaths.has(p)) return true;
      if (p === "") return false;
    }
  };
  const kept = errors.filter((e) => e.keyword === "oneOf" || !underOneOf(e.instancePath));
  const seen = new Set<string>();
  const problems: RuleProblem[] = [];
  for (const error of kept) {
    const problem = schemaProblem(error);
    const key = `${problem.path.join("/")}\u0000${problem.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push(problem);
  }
  return problems;
}

function schemaProblem(error: ErrorObject): RuleProblem {
  const path = instancePath(error);
  const name = path.length > 0 ? formatPath(path) : "the document";
  const parent = error.parentSchema as { description?: string; properties?: Record<string, unknown> } | undefined;
  switch (error.keyword) {
    case "additionalProperties": {
      const extra = (error.params as { additionalProperty: string }).additionalProperty;
      const allowed = parent?.properties ? `; allowed: ${Object.keys(parent.properties).join(", ")}` : "";
      return {
        rule: "schema",
        path: [...path, extra],
        key: true,
        message: `unknown field \`${extra}\` in ${name}${allowed}`,
      };
    }
    case "required":
      return {
        rule: "schema",
        path,
        message: `${name} is missing required field \`${(error.params as { missingProperty: string }).missingProperty}\``,
      };
    case "const":
      return {
        rule: "schema",
        path,
        message: `${name} must be ${JSON.stringify((error.params as { allowedValue: unknown }).allowedValue)}`,
      };
    case "enum":
      return {
        rule: "schema",
        path,
        message: `${name} must be one of ${(error.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(", ")}`,
      };
    case "oneOf":
    case "pattern":
      return { rule: "schema", path, message: `${name}: ${parent?.description ?? error.message}` };
    default:
      return { rule: "schema", path, message: `${name} ${error.message}` };
  }
}

function sortProblems(problems: Problem[]): Problem[] {
  return problems.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col);
}

export { planDigest } from "./digest.js";
export { isValidatedFor, sealedPlan, type ValidatedPlan } from "./validated.js";
export { rules } from "./rules/index.js";
export { topologicalOrder, findCycle } from "./rules/graph.js";
