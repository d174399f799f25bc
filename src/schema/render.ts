import { Document, isMap, isSeq, visit, type Node } from "yaml";
import type { Plan } from "./types.generated.js";

/**
 * Renders a plan as the YAML a reviewer reads: keys in schema order, small
 * maps inline, a header comment with goal and provenance. Deterministic, so
 * render → parse → render gives the same bytes and a re-generated plan only
 * shows a diff where its meaning changed.
 */
export function renderPlanYaml(plan: Plan, options: { header?: boolean } = {}): string {
  // No anchors: a planner that reuses one object for two steps' args must not
  // get `&a1`/`*a1`, which would vanish on the next parse → render (churn).
  // -0 is written as 0: the digest (RFC 8785) already treats them as one value, so the YAML does too.
  const doc = new Document(orderPlan(plan), (_key, value) => (Object.is(value, -0) ? 0 : value), {
    aliasDuplicateObjects: false,
  });
  visit(doc, {
    Map(_key, node, path) {
      const parent = path.at(-1);
      const parentKey =
        parent && "key" in (parent as object) ? String((parent as { key: { value?: unknown } }).key?.value ?? "") : "";
      if (INLINE_KEYS.has(parentKey) && fitsInline(node)) node.flow = true;
    },
    Seq(_key, node, path) {
      const parent = path.at(-1);
      const parentKey =
        parent && "key" in (parent as object) ? String((parent as { key: { value?: unknown } }).key?.value ?? "") : "";
      if ((parentKey === "dependsOn" || parentKey === "riskySteps") && fitsInline(node)) node.flow = true;
    },
  });
  if (options.header !== false) doc.commentBefore = header(plan);
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false, indentSeq: true });
}

const INLINE_KEYS = new Set(["args", "rollback", "planner", "output", "usage"]);

function fitsInline(node: Node): boolean {
  let scalarOnly = true;
  const items = isMap(node) || isSeq(node) ? node.items : [];
  for (const item of items) {
    const value = isMap(node) ? (item as { value: unknown }).value : item;
    if (isMap(value) || isSeq(value)) {
      const nested = value.items.length;
      if (nested > 3 || !fitsInline(value)) scalarOnly = false;
    }
  }
  return scalarOnly && JSON.stringify(node.toJSON()).length <= 90;
}

function header(plan: Plan): string {
  const p = plan.metadata.planner;
  const provenance = p ? [p.name, p.model, p.prompt].filter(Boolean).join(", ") : "hand-written";
  const when = plan.metadata.createdAt ? ` at ${plan.metadata.createdAt}` : "";
  const risky = plan.riskySteps.length > 0 ? `risky: ${plan.riskySteps.join(", ")}` : "no risky steps";
  return [
    ` planfile plan — ${oneLine(plan.metadata.goal)}`,
    ` ${plan.steps.length} steps, ${risky}; planned by ${oneLine(provenance)}${when}.`,
    ` Review: tsx src/show.ts <this file>   Check: tsx src/validate.ts <this file>`,
  ].join("\n");
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > 100 ? `${flat.slice(0, 97)}...` : flat;
}

const ORDER = {
  plan: ["apiVersion", "kind", "metadata", "context", "requiresConfirmation", "riskySteps", "steps"],
  metadata: ["name", "goal", "description", "createdAt", "planner"],
  planner: ["name", "model", "prompt", "attempts", "usage"],
  context: ["id", "tool", "args", "output"],
  step: [
    "id",
    "description",
    "tool",
    "dependsOn",
    "args",
    "expectedOutcome",
    "expect",
    "rollback",
    "timeoutMs",
    "retries",
  ],
  call: ["tool", "args", "none"],
  usage: ["promptTokens", "completionTokens", "totalTokens"],
} as const;

/** Copies `value` with known keys first in `order`, then any others sorted, so input key order never shows. */
function ordered<T extends object>(value: T, order: readonly string[]): T {
  const out: Record<string, unknown> = {};
  const record = value as Record<string, unknown>;
  for (const key of order) if (Object.hasOwn(record, key) && record[key] !== undefined) define(out, key, record[key]);
  for (const key of Object.keys(record).sort())
    if (!Object.hasOwn(out, key) && record[key] !== undefined) define(out, key, record[key]);
  return out as T;
}

/**
 * Free-form maps (args, outputs) get their keys sorted, recursively: two
 * planners — or one planner on two days — emitting the same arguments in a
 * different order must produce the same bytes. Arrays keep their order: it
 * can mean something.
 */
function sortedDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedDeep);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const v = (value as Record<string, unknown>)[key];
    if (v !== undefined) define(out, key, sortedDeep(v));
  }
  return out;
}

function orderCall<T extends object>(call: T): T {
  const args = (call as { args?: unknown }).args;
  return ordered(args === undefined ? call : { ...call, args: sortedDeep(args) }, ORDER.call);
}

export function orderPlan(plan: Plan): Plan {
  const metadata = ordered(plan.metadata, ORDER.metadata);
  if (metadata.planner) {
    metadata.planner = ordered(metadata.planner, ORDER.planner);
    if (metadata.planner.usage) metadata.planner.usage = ordered(metadata.planner.usage, ORDER.usage);
  }
  return ordered(
    {
      ...plan,
      metadata,
      context: plan.context?.map((c) =>
        ordered({ ...orderCall(c), output: sortedDeep(c.output) as typeof c.output }, ORDER.context),
      ),
      steps: plan.steps.map((s) =>
        ordered({ ...orderCall(s), rollback: s.rollback && orderCall(s.rollback) }, ORDER.step),
      ) as Plan["steps"],
    },
    ORDER.plan,
  );
}

/** Plain assignment of `__proto__` would change the prototype and lose the key; args are user data. */
function define(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
