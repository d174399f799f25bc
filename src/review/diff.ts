import { isDeepStrictEqual } from "node:util";
import type { Plan, Step } from "../schema/types.generated.js";
import { topologicalOrder } from "../validator/index.js";

export type JsonPath = (string | number)[];

/** One leaf that differs; `old`/`new` absent means the value was added/removed at that path. */
export interface ValueChange {
  path: JsonPath;
  old?: unknown;
  new?: unknown;
}

export type Rollback = Step["rollback"];

/**
 * A behavioural change between two versions of a plan. Steps and context
 * entries are matched by id: renaming a step is a removal plus an addition.
 * Descriptions, comments, formatting and key order are not behaviour and do
 * not show up.
 */
export type Change =
  | { kind: "metadata-changed"; field: "name" | "goal"; old: string; new: string }
  | { kind: "confirmation-changed"; old: boolean; new: boolean }
  | { kind: "context-added"; id: string; tool: string }
  | { kind: "context-removed"; id: string; tool: string }
  | { kind: "context-changed"; id: string; field: "tool" | "args" | "output"; changes: ValueChange[] }
  | { kind: "step-added"; id: string; tool: string; risky: boolean; dependsOn: string[] }
  | { kind: "step-removed"; id: string; tool: string; risky: boolean }
  /** `run`: the dependency-respecting run order of the common steps changed; `file`: only their order in the file did (ties may run differently). */
  | { kind: "steps-reordered"; scope: "run" | "file"; old: string[]; new: string[] }
  | { kind: "tool-changed"; step: string; old: string; new: string }
  | { kind: "args-changed"; step: string; changes: ValueChange[] }
  | { kind: "outcome-changed"; step: string; field: "expectedOutcome" | "expect"; old?: string; new?: string }
  | { kind: "risk-changed"; step: string; risky: boolean }
  | { kind: "rollback-changed"; step: string; old?: Rollback; new?: Rollback }
  | { kind: "dependency-added"; from: string; to: string }
  | { kind: "dependency-removed"; from: string; to: string }
  | { kind: "limits-changed"; step: string; field: "timeoutMs" | "retries"; old?: number; new?: number };

export type ChangeKind = Change["kind"];

/** `undefined` stands for "no plan on this side" (a new or deleted file). */
export function diffPlans(before: Plan | undefined, after: Plan | undefined): Change[] {
  const changes: Change[] = [];
  const push = (c: Change) => changes.push(c);
  if (before && after) {
    for (const field of ["name", "goal"] as const) {
      if (before.metadata[field] !== after.metadata[field])
        push({ kind: "metadata-changed", field, old: before.metadata[field], new: after.metadata[field] });
    }
    if (before.requiresConfirmation !== after.requiresConfirmation)
      push({ kind: "confirmation-changed", old: before.requiresConfirmation, new: after.requiresConfirmation });
  }

  const oldContext = byId(before?.context ?? []);
  const newContext = byId(after?.context ?? []);
  for (const [id, c] of oldContext) if (!newContext.has(id)) push({ kind: "context-removed", id, tool: c.tool });
  for (const [id, c] of newContext) {
    const was = oldContext.get(id);
    if (!was) push({ kind: "context-added", id, tool: c.tool });
    else {
      if (was.tool !== c.tool)
        push({ kind: "context-changed", id, field: "tool", changes: [{ path: [], old: was.tool, new: c.tool }] });
      for (const field of ["args", "output"] as const) {
        const leaves = valueChanges(was[field], c[field]);
        if (leaves.length > 0) push({ kind: "context-changed", id, field, changes: leaves });
      }
    }
  }

  const oldSteps = byId(before?.steps ?? []);
  const newSteps = byId(after?.steps ?? []);
  const oldRisky = new Set(before?.riskySteps ?? []);
  const newRisky = new Set(after?.riskySteps ?? []);
  for (const [id, s] of oldSteps)
    if (!newSteps.has(id)) push({ kind: "step-removed", id, tool: s.tool, risky: oldRisky.has(id) });
  for (const [id, s] of newSteps)
    if (!oldSteps.has(id))
      push({ kind: "step-added", id, tool: s.tool, risky: newRisky.has(id), dependsOn: s.dependsOn ?? [] });

  const oldOrder = runOrder(before).filter((id) => newSteps.has(id));
  const newOrder = runOrder(after).filter((id) => oldSteps.has(id));
  const oldFile = (before?.steps ?? []).map((s) => s.id).filter((id) => newSteps.has(id));
  const newFile = (after?.steps ?? []).map((s) => s.id).filter((id) => oldSteps.has(id));
  if (!isDeepStrictEqual(oldOrder, newOrder))
    push({ kind: "steps-reordered", scope: "run", old: oldOrder, new: newOrder });
  else if (!isDeepStrictEqual(oldFile, newFile))
    push({ kind: "steps-reordered", scope: "file", old: oldFile, new: newFile });

  for (const [id, s] of newSteps) {
    const was = oldSteps.get(id);
    if (!was) continue;
    if (was.tool !== s.tool) push({ kind: "tool-changed", step: id, old: was.tool, new: s.tool });
    const args = valueChanges(was.args, s.args);
    if (args.length > 0) push({ kind: "args-changed", step: id, changes: args });
    for (const field of ["expectedOutcome", "expect"] as const) {
      if (was[field] !== s[field])
        push({ kind: "outcome-changed", step: id, field, ...defined({ old: was[field], new: s[field] }) });
    }
    if (oldRisky.has(id) !== newRisky.has(id)) push({ kind: "risk-changed", step: id, risky: newRisky.has(id) });
    if (!isDeepStrictEqual(was.rollback, s.rollback))
      push({ kind: "rollback-changed", step: id, ...defined({ old: was.rollback, new: s.rollback }) });
    for (const field of ["timeoutMs", "retries"] as const) {
      if (was[field] !== s[field])
        push({ kind: "limits-changed", step: id, field, ...defined({ old: was[field], new: s[field] }) });
    }
  }

  // An added step's own dependsOn is in its entry, and a removed step takes its edges with it;
  // an existing step that now waits for a new one is a real change and shows.
  const common = (e: { from: string; to: string }) =>
    oldSteps.has(e.to) && newSteps.has(e.to) && !(oldSteps.has(e.from) && !newSteps.has(e.from));
  const oldEdges = new Map([...edges(before)].filter(([, e]) => common(e)));
  const newEdges = new Map([...edges(after)].filter(([, e]) => common(e)));
  for (const [key, e] of oldEdges) if (!newEdges.has(key)) push({ kind: "dependency-removed", ...e });
  for (const [key, e] of newEdges) if (!oldEdges.has(key)) push({ kind: "dependency-added", ...e });
  return changes;
}

/** Leaf-level differences between two JSON values; arrays compare index by index. */
export function valueChanges(before: unknown, after: unknown, path: JsonPath = []): ValueChange[] {
  if (isDeepStrictEqual(before, after)) return [];
  const bothArrays = Array.isArray(before) && Array.isArray(after);
  const bothObjects = isObject(before) && isObject(after);
  if (!bothArrays && !bothObjects) return [{ path, ...defined({ old: before, new: after }) }];
  const keys = bothArrays
    ? Array.from({ length: Math.max((before as unknown[]).length, (after as unknown[]).length) }, (_, i) => i)
    : [...new Set([...Object.keys(before as object), ...Object.keys(after as object)])].sort();
  const out: ValueChange[] = [];
  for (const key of keys) {
    const a = get(before, key);
    const b = get(after, key);
    if (a === undefined || b === undefined) {
      if (a !== b) out.push({ path: [...path, key], ...defined({ old: a, new: b }) });
    } else out.push(...valueChanges(a, b, [...path, key]));
  }
  return out;
}

function get(value: unknown, key: string | number): unknown {
  return Object.hasOwn(value as object, key) ? (value as Record<string | number, unknown>)[key] : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function byId<T extends { id: string }>(list: readonly T[]): Map<string, T> {
  const map = new Map<string, T>();
  for (const item of list) if (!map.has(item.id)) map.set(item.id, item);
  return map;
}

function runOrder(plan: Plan | undefined): string[] {
  if (!plan) return [];
  return topologicalOrder(plan) ?? plan.steps.map((s) => s.id);
}

/** Dependency edges `from → to` (to runs after from). */
function edges(plan: Plan | undefined): Map<string, { from: string; to: string }> {
  const out = new Map<string, { from: string; to: string }>();
  for (const s of plan?.steps ?? [])
    for (const d of s.dependsOn ?? []) out.set(`${d}\u0000${s.id}`, { from: d, to: s.id });
  return out;
}
