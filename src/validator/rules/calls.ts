import type { ErrorObject } from "ajv";
import { distance as editDistance } from "fastest-levenshtein";
import type { Path } from "../../schema/source.js";
import type { Registry } from "../../registry/registry.js";
import type { JsonSchemaObject } from "../../registry/types.js";
import { findReferences, formatPath, getPath, holdsReference, type Reference } from "../../references/index.js";
import { jsonType, schemaAt, schemaTypes, typesCompatible } from "../schema-walk.js";
import { knownNames } from "../closest.js";
import { instancePath } from "../../schema/ajv.js";
import type { Rule, RuleContext, RuleProblem } from "./types.js";

// One array per plan, so knownNames can bound its work per list (see closest.ts).
const idLists = new WeakMap<object, string[]>();
const contextIds = (plan: RuleContext["plan"]): string[] =>
  idLists.get(plan) ??
  idLists
    .set(
      plan,
      (plan.context ?? []).map((c) => c.id),
    )
    .get(plan)!;
const stepIds = (steps: RuleContext["steps"]): string[] =>
  idLists.get(steps) ?? idLists.set(steps, [...steps.keys()]).get(steps)!;

/**
 * One tool call found in a plan: a step, a context probe, or a rollback. Its path, label and scope are made
 * only when a rule asks (for a problem, or a reference to check): a valid 2,000-step plan's calls made some
 * 2 MB of them up front, and allocation during the checks before a run is what brings a young-generation
 * collection into them (issue 16).
 */
class CallSite {
  constructor(
    readonly tool: string,
    readonly args: Record<string, unknown>,
    private readonly kind: "context" | "step" | "rollback",
    private readonly index: number,
    private readonly id: string,
  ) {}

  get path(): Path {
    return this.kind === "context"
      ? ["context", this.index]
      : this.kind === "step"
        ? ["steps", this.index]
        : ["steps", this.index, "rollback"];
  }

  get label(): string {
    return this.kind === "context"
      ? `context \`${this.id}\``
      : this.kind === "step"
        ? `step \`${this.id}\``
        : `rollback of step \`${this.id}\``;
  }

  /** The step whose outputs (and whose dependencies' outputs) this call may reference; none for context probes. */
  get scope(): { step: string; self: boolean } | "none" {
    // A rollback runs after its step, so it may also read the step's own outputs.
    return this.kind === "context" ? "none" : { step: this.id, self: this.kind === "rollback" };
  }
}

/** Calls `visit` with every tool call in the plan, in plan order; nothing is kept behind it. */
function forEachCallSite(plan: RuleContext["plan"], visit: (site: CallSite) => void): void {
  const context = plan.context ?? [];
  for (let i = 0; i < context.length; i++) {
    const c = context[i]!;
    visit(new CallSite(c.tool, c.args, "context", i, c.id));
  }
  for (let i = 0; i < plan.steps.length; i++) {
    const s = plan.steps[i]!;
    visit(new CallSite(s.tool, s.args, "step", i, s.id));
    if (s.rollback && "tool" in s.rollback) visit(new CallSite(s.rollback.tool, s.rollback.args, "rollback", i, s.id));
  }
}

/** Every tool named by a step, a context entry or a rollback is registered. */
export const knownTools: Rule = (context) => {
  const problems: RuleProblem[] = [];
  forEachCallSite(context.plan, (site) => {
    if (!context.registry.has(site.tool))
      problems.push({
        rule: "unknown-tool",
        path: [...site.path, "tool"],
        message: `${site.label} uses unknown tool \`${site.tool}\`${suggest(site.tool, context.registry)}`,
      });
  });
  return problems;
};

/** Context is gathered by read-only tools only: planning must never change the world. */
export const contextIsReadOnly: Rule = ({ plan, registry }) =>
  (plan.context ?? []).flatMap((c, i) => {
    const tool = registry.get(c.tool);
    if (!tool || tool.effect === "read") return [];
    return [
      {
        rule: "context-not-read-only",
        path: ["context", i, "tool"],
        message: `context \`${c.id}\` uses ${c.tool}, whose effect is ${tool.effect}; context may only be read with effect: read tools`,
      },
    ];
  });

/** Arguments satisfy the tool's input schema; a `${{ }}` reference stands in for any value of the right type. */
export const argsMatchTools: Rule = (context) => {
  const problems: RuleProblem[] = [];
  forEachCallSite(context.plan, (site) => {
    const tool = context.registry.get(site.tool);
    if (!tool) return;
    const validate = context.registry.inputValidator(site.tool);
    const valid = validate(site.args);
    // The common case, valid arguments without references, makes nothing.
    if (valid && !holdsReference(site.args)) return;
    const errors = valid ? [] : (validate.errors ?? []);
    const argsPath = [...site.path, "args"];
    const refSites = findReferences(site.args);
    const refPaths = new Set(refSites.map((r) => pointer(r.path)));

    for (const error of errors) {
      const at = instancePath(error);
      if (refPaths.has(pointer(at))) continue; // judged by type below
      problems.push(argProblem(site, argsPath, at, error));
    }

    for (const ref of refSites) {
      for (const parsed of ref.refs) {
        if (!parsed.ok) {
          problems.push({
            rule: "bad-reference",
            path: [...argsPath, ...ref.path],
            message: `${site.label}: ${parsed.message}`,
          });
          continue;
        }
        const resolved = referenceType(parsed.ref, site, context);
        if ("problem" in resolved) {
          problems.push({
            rule: "bad-reference",
            path: [...argsPath, ...ref.path],
            message: `${site.label}: ${resolved.problem}`,
          });
          continue;
        }
        const slot = schemaAt(tool.inputSchema, ref.path);
        const expected = slot && "schema" in slot ? schemaTypes(slot.schema) : undefined;
        const actual = ref.whole ? resolved.types : new Set(["string"]);
        if (!typesCompatible(actual, expected)) {
          problems.push({
            rule: "invalid-args",
            path: [...argsPath, ...ref.path],
            message: `${site.label}: args.${formatPath(ref.path)} expects ${[...expected!].join(" or ")}, but \`${parsed.ref.text}\` is ${[...actual!].join(" or ")}`,
          });
        }
      }
    }
  });
  return problems;
};

function referenceType(
  ref: Reference,
  site: CallSite,
  { plan, steps, registry, dependsOn }: RuleContext,
): { types: Set<string> | undefined } | { problem: string } {
  switch (ref.root) {
    case "secrets":
      if (site.scope === "none") return { problem: `context probes cannot use secrets (\`${ref.text}\`)` };
      if (!/^[A-Z][A-Z0-9_]*$/.test(ref.name))
        return { problem: `secret name \`${ref.name}\` must be UPPER_SNAKE_CASE` };
      return { types: new Set(["string"]) };
    case "context": {
      if (site.scope === "none") return { problem: `a context probe cannot reference other context (\`${ref.text}\`)` };
      const entry = (plan.context ?? []).find((c) => c.id === ref.id);
      if (!entry)
        return {
          problem: `\`${ref.text}\` names unknown context entry \`${ref.id}\`; ${knownNames("context entries", ref.id, contextIds(plan))}`,
        };
      const found = getPath(entry.output, ref.path);
      if (!found.found)
        return { problem: `\`${ref.text}\`: context \`${ref.id}\` recorded no \`${formatPath(ref.path)}\`` };
      return { types: new Set([jsonType(found.value)]) };
    }
    case "steps": {
      const target = steps.get(ref.step);
      if (!target)
        return {
          problem: `\`${ref.text}\` names unknown step \`${ref.step}\`; ${knownNames("steps", ref.step, stepIds(steps))}`,
        };
      if (site.scope === "none") return { problem: `a context probe cannot reference step outputs (\`${ref.text}\`)` };
      const visible = (site.scope.self && ref.step === site.scope.step) || dependsOn(site.scope.step, ref.step);
      if (!visible) {
        return {
          problem: `\`${ref.text}\` reads step \`${ref.step}\`, which is not a (transitive) dependency; add \`${ref.step}\` to dependsOn`,
        };
      }
      const tool = registry.get(target.step.tool);
      if (!tool) return { types: undefined };
      const slot = schemaAt(tool.outputSchema, ref.path);
      if (slot && "missing" in slot)
        return {
          problem: `\`${ref.text}\`: ${tool.name} has no output \`${formatPath(ref.path)}\`; it outputs ${outputNames(tool.outputSchema)}`,
        };
      return { types: slot ? schemaTypes(slot.schema) : undefined };
    }
    default:
      return { problem: `\`${ref.text}\`: \${{ ${ref.root}.… }} is only allowed in a tool's default compensation` };
  }
}

/** A write or destructive step says how to undo it, or says explicitly why it needs nothing. */
export const rollbackDeclared: Rule = ({ plan, registry }) =>
  plan.steps.flatMap((step, i) => {
    const tool = registry.get(step.tool);
    if (!tool || tool.effect === "read" || step.rollback) return [];
    const hint = tool.compensation ? `its tool's compensation is ${tool.compensation.tool}; ` : "";
    return [
      {
        rule: "missing-rollback",
        path: ["steps", i],
        message: `step \`${step.id}\` (${tool.effect}) has no rollback; ${hint}add \`rollback: {tool: …, args: {…}}\` or \`rollback: {none: "<why nothing needs undoing>"}\``,
      },
    ];
  });

/** Risky ids name real steps, and risk requires confirmation (which steps must be risky: rules/risk.ts). */
export const riskFlagged: Rule = ({ plan, steps }) => {
  const problems: RuleProblem[] = [];
  plan.riskySteps.forEach((id, i) => {
    if (!steps.has(id))
      problems.push({
        rule: "unknown-risky-step",
        path: ["riskySteps", i],
        message: `riskySteps names \`${id}\`, which is not a step of this plan`,
      });
  });
  if (plan.riskySteps.length > 0 && !plan.requiresConfirmation) {
    problems.push({
      rule: "confirmation-required",
      path: ["requiresConfirmation"],
      message: "the plan has risky steps, so requiresConfirmation must be true",
    });
  }
  return problems;
};

function argProblem(site: CallSite, argsPath: Path, at: Path, error: ErrorObject): RuleProblem {
  const where = at.length > 0 ? `args.${formatPath(at)}` : "args";
  if (error.keyword === "additionalProperties") {
    const extra = (error.params as { additionalProperty: string }).additionalProperty;
    return {
      rule: "invalid-args",
      path: [...argsPath, ...at, extra],
      key: true,
      message: `${site.label}: ${site.tool} has no argument \`${[...at, extra].join(".")}\`${allowed(error)}`,
    };
  }
  if (error.keyword === "required") {
    const missing = (error.params as { missingProperty: string }).missingProperty;
    return {
      rule: "invalid-args",
      path: [...argsPath, ...at],
      message: `${site.label}: ${site.tool} requires argument \`${[...at, missing].join(".")}\``,
    };
  }
  return { rule: "invalid-args", path: [...argsPath, ...at], message: `${site.label}: ${where} ${error.message}` };
}

function allowed(error: ErrorObject): string {
  const props = (error.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties;
  return props ? `; allowed: ${Object.keys(props).join(", ")}` : "";
}

function outputNames(schema: JsonSchemaObject): string {
  const props = typeof schema === "object" ? (schema.properties as Record<string, unknown> | undefined) : undefined;
  return props ? Object.keys(props).join(", ") : "nothing declared";
}

function pointer(path: Path): string {
  return path.map(String).join("\u0000");
}

function suggest(name: string, registry: Registry): string {
  let best: { name: string; distance: number } | undefined;
  for (const tool of registry.list()) {
    const distance = editDistance(name, tool.name);
    if (!best || distance < best.distance) best = { name: tool.name, distance };
  }
  return best && best.distance <= Math.max(3, name.length / 4)
    ? `; did you mean \`${best.name}\`?`
    : "; run `tsx src/tools.ts` to list registered tools";
}
