/**
 * A tool's declared compensation, rendered for one step: `${{ args.x }}`
 * takes the step's own argument, `${{ outputs.x }}` becomes
 * `${{ steps.<id>.outputs.x }}`. The planner copies it into plans and the
 * validator compares a plan's rollback with it, so both use this one function.
 */
import type { ToolDefinition } from "../registry/types.js";
import { findReferences, getPath, substitute, type Reference } from "../references/index.js";
import type { RollbackCall, Step } from "../schema/types.generated.js";

/** Undefined when the tool declares none, or when an argument the compensation needs is absent from the step. */
export function renderCompensation(
  step: Pick<Step, "id" | "args">,
  tool: ToolDefinition | undefined,
): RollbackCall | undefined {
  const comp = tool?.compensation;
  if (!comp || typeof step.id !== "string" || !step.args || typeof step.args !== "object") return undefined;
  let missing = false;
  let args: Record<string, unknown>;
  try {
    args = substitute(comp.args, (ref) => {
      if (ref.root === "outputs")
        return `\${{ steps.${step.id}.outputs${ref.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${p}`)).join("")} }}`;
      if (ref.root === "args") {
        const found = getPath(step.args, ref.path);
        if (found.found) return found.value;
      }
      missing = true;
      return null;
    }) as Record<string, unknown>;
  } catch {
    return undefined; // a malformed reference in the step's args: the validator names it
  }
  return missing ? undefined : { tool: comp.tool, args };
}

/**
 * Whether a plan's rollback is the step's declared compensation: exactly the
 * rendered call, with two spellings of the same value allowed where the
 * compensation has a whole reference:
 * - for `${{ outputs.p }}` (the state before the step), a whole
 *   `${{ context.… }}`: read from the world when planning, recorded in the
 *   plan, and re-read by the runner's drift check before anything runs;
 * - for `${{ args.p }}`, the step's own `${{ steps.<id>.outputs.p }}`: what
 *   the step reports it acted on, under the same name.
 * A literal in place of a reference is never the compensation.
 */
export function isCompensation(
  rollback: { tool: string; args: unknown },
  step: Pick<Step, "id">,
  rendered: RollbackCall,
  template: RollbackCall,
): boolean {
  if (sameCall(rollback, rendered)) return true;
  if (rollback.tool !== rendered.tool) return false;
  const slots = new Map<string, Reference>();
  for (const site of findReferences(template.args)) {
    const first = site.refs[0];
    if (site.whole && first?.ok) slots.set(JSON.stringify(site.path), first.ref);
  }
  return equalExcept(rollback.args, rendered.args, [], (path, value) => {
    const slot = slots.get(JSON.stringify(path));
    const site = typeof value === "string" ? findReferences(value)[0] : undefined;
    const given = site?.whole && site.refs[0]?.ok ? site.refs[0].ref : undefined;
    if (!slot || !given) return false;
    if (slot.root === "outputs") return given.root === "context";
    return (
      slot.root === "args" &&
      given.root === "steps" &&
      given.step === step.id &&
      JSON.stringify(given.path) === JSON.stringify(slot.path)
    );
  });
}

function equalExcept(
  a: unknown,
  b: unknown,
  path: (string | number)[],
  allowed: (path: (string | number)[], value: unknown) => boolean,
): boolean {
  if (allowed(path, a)) return true;
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== "object") return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a as object);
  if (ka.length !== Object.keys(b as object).length) return false;
  return ka.every(
    (k) =>
      Object.hasOwn(b as object, k) &&
      equalExcept(
        (a as Record<string, unknown>)[k],
        (b as Record<string, unknown>)[k],
        [...path, Array.isArray(a) ? Number(k) : k],
        allowed,
      ),
  );
}

/** Same tool and deeply equal args; key order does not matter, types do. */
export function sameCall(a: { tool: string; args: unknown }, b: { tool: string; args: unknown }): boolean {
  return a.tool === b.tool && deepEqual(a.args, b.args);
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== "object") return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  if (ka.length !== kb.length) return false;
  return ka.every(
    (k) =>
      Object.hasOwn(b as object, k) && deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
  );
}
