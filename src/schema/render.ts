import { Document, isMap, isSeq, visit, type Node } from "yaml";
import type { Plan } from "./types.generated.js";

/**
 * Renders a plan as the YAML a reviewer reads: keys in schema order, small
 * maps inline, a header comment with goal and provenance. Deterministic, so
 * render → parse → render gives the same bytes and a re-generated plan only
 * shows a diff where its meaning changed.
 */
export function renderPlanYaml(plan: Plan, options: { header?: boolean } = {}): string {
  const doc = new Document(orderPlan(plan));
  visit(doc, {
    Map(_key, node, path) {
      const parent = path.at(-1);
      const parentKey = parent && "key" in (parent as object) ? String((parent as { key: { value?: unknown } }).key?.value ?? "") : "";
      if (INLINE_KEYS.has(parentKey) && fitsInline(node)) node.flow = true;
    },
    Seq(_key, node, path) {
      const parent = path.at(-1);
      const parentKey = parent && "key" in (parent as object) ? String((parent as { key: { value?: unknown } }).key?.value ?? "") : "";
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
  const risky = plan.riskySteps.length > 0 ? `risky: ${plan.riskySteps.join(", ")}` : "no risky steps";
  return [
    ` planfile plan — ${oneLine(plan.metadata.goal)}`,
    ` ${plan.steps.length} steps, ${risky}; planned by ${provenance}.`,
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
  step: ["id", "description", "tool", "dependsOn", "args", "expectedOutcome", "expect", "rollback", "timeoutMs", "retries"],
  call: ["tool", "args", "none"],
} as const;

/** Copies `value` with known keys first in `order`, then any others in their original order. */
function ordered<T extends object>(value: T, order: readonly string[]): T {
  const out: Record<string, unknown> = {};
  for (const key of order) if (key in value && (value as Record<string, unknown>)[key] !== undefined) out[key] = (value as Record<string, unknown>)[key];
  for (const [key, v] of Object.entries(value)) if (!(key in out) && v !== undefined) out[key] = v;
  return out as T;
}

export function orderPlan(plan: Plan): Plan {
  const metadata = ordered(plan.metadata, ORDER.metadata);
  if (metadata.planner) metadata.planner = ordered(metadata.planner, ORDER.planner);
  return ordered(
    {
      ...plan,
      metadata,
      context: plan.context?.map((c) => ordered(c, ORDER.context)),
      steps: plan.steps.map((s) => ordered({ ...s, rollback: s.rollback && ordered(s.rollback, ORDER.call) }, ORDER.step)) as Plan["steps"],
    },
    ORDER.plan,
  );
}
