/**
 * `${{ }}` resolution at run time. A string that is exactly one reference keeps
 * the referenced value's type; a missing reference is an error, never null.
 */
import { findReferences, formatPath, getPath, substitute, type Reference } from "../references/index.js";
import type { ToolDefinition } from "../registry/types.js";
import type { Plan } from "../schema/types.generated.js";
import { RunnerError } from "./runner-error.js";

export interface Scope {
  /** Outputs of completed steps, by id. */
  steps: ReadonlyMap<string, unknown>;
  /** Recorded context outputs, by id. */
  context: ReadonlyMap<string, unknown>;
  secrets: Readonly<Record<string, string>>;
  /** For templates from a tool manifest (a verify probe): the step's resolved args. */
  args?: unknown;
}

export function resolveValue(value: unknown, scope: Scope, where: string): unknown {
  return substitute(value, (ref) => lookup(ref, scope, where));
}

function lookup(ref: Reference, scope: Scope, where: string): unknown {
  const missing = (what: string): never => {
    throw new RunnerError("REFERENCE_MISSING", `${where}: \`\${{ ${ref.text} }}\` cannot be resolved: ${what}`);
  };
  switch (ref.root) {
    case "steps": {
      if (!scope.steps.has(ref.step)) missing(`step \`${ref.step}\` has no outputs (it has not completed)`);
      const found = getPath(scope.steps.get(ref.step), ref.path);
      return found.found ? found.value : missing(`step \`${ref.step}\` output has no \`${formatPath(ref.path)}\``);
    }
    case "context": {
      if (!scope.context.has(ref.id)) missing(`no context entry \`${ref.id}\``);
      const found = getPath(scope.context.get(ref.id), ref.path);
      return found.found ? found.value : missing(`context \`${ref.id}\` has no \`${formatPath(ref.path)}\``);
    }
    case "secrets": {
      const value = scope.secrets[ref.name];
      return value !== undefined
        ? value
        : missing(`secret ${ref.name} is not set; export ${ref.name} in the environment`);
    }
    case "args": {
      // The validator refuses these in plans; they belong to templates in tool manifests.
      if (scope.args === undefined) missing("`args.…` is only available in a tool manifest's templates");
      const found = getPath(scope.args, ref.path);
      return found.found ? found.value : missing(`args has no \`${formatPath(ref.path)}\``);
    }
    case "outputs":
      return missing("`outputs.…` is only available in a tool manifest's compensation");
  }
}

/**
 * Names of every secret a run may need: those the plan names (step args and
 * rollbacks), and those named by the manifests of every tool the run may
 * call (steps, rollbacks, default compensations, verify probes) — an http
 * header's token is the plan's secret too, though the plan never spells it.
 */
export function secretNames(plan: Plan, registry?: SecretSource): string[] {
  const names = new Set<string>();
  const sites = plan.steps.flatMap((s) => [
    ...findReferences(s.args),
    ...(s.rollback && "tool" in s.rollback ? findReferences(s.rollback.args) : []),
  ]);
  for (const site of sites) for (const r of site.refs) if (r.ok && r.ref.root === "secrets") names.add(r.ref.name);
  if (registry) {
    const tools = new Set<string>();
    const visit = (name: string | undefined) => {
      if (!name || tools.has(name)) return;
      tools.add(name);
      const tool = registry.get(name);
      visit(tool?.compensation?.tool);
      visit(tool?.manifest.verify?.tool);
    };
    for (const s of plan.steps) {
      visit(s.tool);
      if (s.rollback && "tool" in s.rollback) visit(s.rollback.tool);
    }
    for (const name of tools) for (const secret of registry.get(name)?.secretNames ?? []) names.add(secret);
  }
  return [...names].sort();
}

/** What secretNames needs of a registry. */
export interface SecretSource {
  get(name: string): Pick<ToolDefinition, "compensation" | "manifest" | "secretNames"> | undefined;
}

/**
 * Reads the run's secrets from the environment before anything runs, so a
 * missing one stops the run before its first side effect.
 */
export function loadSecrets(
  plan: Plan,
  env: Readonly<Record<string, string | undefined>>,
  registry?: SecretSource,
): Record<string, string> {
  const secrets: Record<string, string> = {};
  const missing: string[] = [];
  for (const name of secretNames(plan, registry)) {
    const value = env[name];
    if (value === undefined || value === "") missing.push(name);
    else secrets[name] = value;
  }
  if (missing.length > 0)
    throw new RunnerError(
      "SECRET_MISSING",
      `the plan or its tools use secrets that are not set: ${missing.join(", ")}; export them in the environment and run again`,
    );
  return secrets;
}
