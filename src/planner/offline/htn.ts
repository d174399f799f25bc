/**
 * Hierarchical task decomposition over declared methods. A task is
 * decomposed by the first of its methods whose `let` bindings compute and
 * whose `when` holds over the gathered context; its subtasks are steps or
 * further tasks. Deterministic: same goal, context and bans, same plan.
 *
 * Backtracking: every decomposition records, for each step, the chain of
 * choices (task instance → method) behind it: the methods above it, and the
 * subtasks whose choice (`{{ staging.stage }}`) its arguments use. When a
 * plan's proof fails at a step, the caller bans a choice of that chain and
 * decomposes again; the task then takes its next alternative, or fails so
 * that its parent does. A ban holds only while the choices it was made under
 * stand: a new name for the copy lifts the ban on the subnet that clashed.
 */
import { PlanfileError } from "../../errors.js";
import { getPath } from "../../references/index.js";
import type { ContextEntry } from "../../schema/types.generated.js";
import type { DraftStep } from "../normalize.js";
import type { Method, MethodLibrary, StepTemplate } from "./methods.js";

export type Bindings = Record<string, unknown>;

export type Decomposition =
  | {
      ok: true;
      method: Method;
      steps: DraftStep[];
      sinks: string[];
      bindings: Bindings;
      /** Step id → the choices behind it, outermost first (see `choiceKey`). */
      origins: Map<string, string[]>;
    }
  | { ok: false; reasons: string[] };

/** A choice a failed proof ruled out, while the choices `given` stand. */
export interface Ban {
  choice: string;
  given: readonly string[];
  why: string;
}

export interface DecomposeOptions {
  depth?: number;
  /** Where this task sits in the decomposition: the goal method's name, then subtask ids. */
  path?: string;
  /** The choices behind this task: its ancestors', and those whose results its arguments use. */
  chain?: readonly string[];
  bans?: readonly Ban[];
  /** Every choice made so far in this decomposition (shared, depth first). */
  made?: string[];
}

/** A choice: the method used for one task instance. */
export function choiceKey(path: string, method: Method): string {
  return `${path}=${method.name}`;
}

/** A method's own mistake (an unknown parameter); reported as a bug in its file, never as the world's fault. */
export class MethodError extends PlanfileError {
  constructor(method: Method, message: string) {
    super("METHOD_INVALID", `method ${method.name} (${method.file}): ${message}`);
    this.name = "MethodError";
  }
}

const MAX_DEPTH = 16;

export function decomposeTask(
  task: string,
  bindings: Bindings,
  context: readonly ContextEntry[],
  library: MethodLibrary,
  options: DecomposeOptions = {},
): Decomposition {
  const reasons: string[] = [];
  const path = options.path ?? task;
  const made = options.made ?? [];
  let ruledOut = false;
  for (const method of library.byTask.get(task) ?? []) {
    const ban = banOf(choiceKey(path, method), options.bans, made);
    if (ban) {
      ruledOut = true;
      reasons.push(`${method.name}: ${ban.why}`);
      continue;
    }
    // A method without `when` is the default for a world that fits no alternative, not a
    // stand-in for one whose plan failed: it would drop the work (no DNS record to repoint).
    if (ruledOut && !method.when) continue;
    const applied = applyMethod(method, bindings, context, library, { ...options, path, made });
    if (applied.ok) return applied;
    reasons.push(...applied.reasons);
  }
  return { ok: false, reasons: reasons.length > 0 ? reasons : [`no method decomposes task \`${task}\``] };
}

export function applyMethod(
  method: Method,
  bindings: Bindings,
  context: readonly ContextEntry[],
  library: MethodLibrary,
  options: DecomposeOptions = {},
): Decomposition {
  const depth = options.depth ?? 0;
  const path = options.path ?? method.name;
  const choice = choiceKey(path, method);
  const made = options.made ?? [];
  const ban = banOf(choice, options.bans, made);
  if (ban) return { ok: false, reasons: [`${method.name}: ${ban.why}`] };
  const mark = made.length;
  made.push(choice);
  const decomposed = decompose(method, choice, bindings, context, library, { ...options, depth, path, made });
  if (!decomposed.ok) made.length = mark;
  return decomposed;
}

function decompose(
  method: Method,
  choice: string,
  bindings: Bindings,
  context: readonly ContextEntry[],
  library: MethodLibrary,
  options: DecomposeOptions & { depth: number; path: string; made: string[] },
): Decomposition {
  const { depth, path } = options;
  if (depth > MAX_DEPTH)
    throw new MethodError(method, `tasks nest deeper than ${MAX_DEPTH}; is a task its own subtask?`);
  const vars: Bindings = { ...bindings, context: Object.fromEntries(context.map((c) => [c.id, c.output])) };
  const letErrors: string[] = [];
  for (const [name, expr] of Object.entries(method.let ?? {})) {
    try {
      vars[name] = method.programs.get(expr)!(vars);
    } catch (error) {
      letErrors.push(`cannot compute \`${name}\` (${expr}): ${firstLine(error)}`);
    }
  }
  if (method.when) {
    let holds: unknown;
    try {
      holds = method.programs.get(method.when)!(vars);
    } catch (error) {
      return {
        ok: false,
        reasons: [
          `${method.name}: cannot evaluate \`${method.when}\`: ${firstLine(error)}`,
          ...letErrors.map((e) => `${method.name}: ${e}`),
        ],
      };
    }
    // A binding that fails because the condition does not hold (`candidates[0]` of none) is no news.
    if (holds !== true)
      return {
        ok: false,
        reasons: [
          `${method.name}: ${method.otherwise ? fill(method.otherwise, vars, method) : `its condition \`${method.when}\` does not hold`}`,
        ],
      };
  }
  for (const { that, otherwise } of method.require ?? []) {
    let holds: unknown;
    try {
      holds = method.programs.get(that)!(vars);
    } catch (error) {
      return { ok: false, reasons: [`${method.name}: cannot check \`${that}\`: ${firstLine(error)}`] };
    }
    if (holds !== true) return { ok: false, reasons: [`${method.name}: ${fill(otherwise, vars, method)}`] };
  }
  if (letErrors.length > 0) return { ok: false, reasons: letErrors.map((e) => `${method.name}: ${e}`) };

  const steps: DraftStep[] = [];
  const origins = new Map<string, string[]>();
  const chain = [...(options.chain ?? []), choice];
  // Subtask id → the choice that made its bindings, for the steps that read them.
  const exposed = new Map<string, string>();
  const groups = new Map<string, string[]>();
  const expand = (deps: readonly string[] | undefined): string[] => (deps ?? []).flatMap((d) => groups.get(d) ?? [d]);

  for (const [index, sub] of method.subtasks.entries()) {
    if ("task" in sub) {
      const { context: _ctx, ...own } = vars;
      const withArgs = fill(sub.with ?? {}, vars, method) as Bindings;
      const inner = decomposeTask(sub.task, { ...own, ...withArgs }, context, library, {
        depth: depth + 1,
        path: `${path}/${sub.id ?? index}`,
        chain: [...chain, ...usedChoices(sub.with, exposed)],
        bans: options.bans,
        made: options.made,
      });
      if (!inner.ok) return { ok: false, reasons: inner.reasons.map((r) => `${method.name} → ${r}`) };
      for (const [id, behind] of inner.origins) origins.set(id, behind);
      // What the subtask chose (a bucket, a name) is `{{ <id>.<binding> }}` to the subtasks after it.
      if (sub.id && !(sub.id in vars)) {
        const { context: _inner, ...chosen } = inner.bindings;
        vars[sub.id] = chosen;
        exposed.set(sub.id, choiceKey(`${path}/${sub.id}`, inner.method));
      }
      const extra = expand(fill(sub.dependsOn ?? [], vars, method) as string[]);
      const innerIds = new Set(inner.steps.map((s) => s.id));
      for (const step of inner.steps) {
        const internal = (step.dependsOn ?? []).some((d) => innerIds.has(d));
        if (!internal && extra.length > 0) step.dependsOn = unique([...(step.dependsOn ?? []), ...extra]);
        steps.push(step);
      }
      // A subtask with nothing to do stands for what it waited on, so later steps keep their order.
      if (sub.id) groups.set(sub.id, inner.steps.length > 0 ? inner.sinks : extra);
    } else {
      const step = stepFrom(sub, vars, method, expand);
      origins.set(step.id, [...chain, ...usedChoices(sub, exposed)]);
      steps.push(step);
    }
  }
  return { ok: true, method, steps, sinks: sinksOf(steps), bindings: vars, origins };
}

function banOf(choice: string, bans: readonly Ban[] | undefined, made: readonly string[]): Ban | undefined {
  return bans?.find((b) => b.choice === choice && b.given.every((g) => made.includes(g)));
}

/** The choices behind the subtask bindings (`{{ staging.stage }}`) a template reads. */
function usedChoices(template: unknown, exposed: ReadonlyMap<string, string>): string[] {
  if (exposed.size === 0 || template === undefined) return [];
  const used = new Set<string>();
  for (const m of JSON.stringify(template).matchAll(SLOT)) {
    const choice = exposed.get(m[1]!.split(/[.[]/)[0]!);
    if (choice) used.add(choice);
  }
  return [...used];
}

function stepFrom(
  template: StepTemplate,
  vars: Bindings,
  method: Method,
  expand: (deps: readonly string[] | undefined) => string[],
): DraftStep {
  const filled = fill(template, vars, method) as StepTemplate;
  const step: DraftStep = { ...filled, args: filled.args } as DraftStep;
  const deps = expand(filled.dependsOn);
  if (deps.length > 0) step.dependsOn = unique(deps);
  else delete step.dependsOn;
  return step;
}

function sinksOf(steps: readonly DraftStep[]): string[] {
  const used = new Set(steps.flatMap((s) => s.dependsOn ?? []));
  return steps.filter((s) => !used.has(s.id)).map((s) => s.id);
}

// `{{ name }}` but not the plan's own `${{ … }}` references.
const SLOT = /(?<!\$)\{\{\s*([A-Za-z_][\w-]*(?:\.[\w-]+|\[\d+\])*)\s*\}\}/g;
const WHOLE = /^\{\{\s*([A-Za-z_][\w-]*(?:\.[\w-]+|\[\d+\])*)\s*\}\}$/;

/** Fills `{{ name }}` slots; a string that is exactly one slot keeps the value's type. */
export function fill(value: unknown, vars: Bindings, method: Method): unknown {
  if (typeof value === "string") {
    const whole = WHOLE.exec(value);
    if (whole) return lookup(whole[1]!, vars, method);
    return value.replace(SLOT, (_m, path: string) => {
      const v = lookup(path, vars, method);
      return typeof v === "string" ? v : JSON.stringify(v);
    });
  }
  if (Array.isArray(value)) return value.map((v) => fill(v, vars, method));
  // Keys are templates too: traffic weights are keyed by slot names read from the world.
  if (value && typeof value === "object")
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [String(fill(k, vars, method)), fill(v, vars, method)]),
    );
  return value;
}

function lookup(path: string, vars: Bindings, method: Method): unknown {
  const segments = path
    .split(/\.|\[(\d+)\]/)
    .filter((s) => s !== undefined && s !== "")
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  const found = getPath(vars, segments);
  if (!found.found || found.value === undefined) {
    throw new MethodError(
      method,
      `\`{{ ${path} }}\` names nothing; known: ${Object.keys(vars)
        .filter((k) => k !== "context")
        .join(", ")}`,
    );
  }
  return found.value;
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

function firstLine(error: unknown): string {
  return String(error instanceof Error ? error.message : error).split("\n")[0]!;
}
