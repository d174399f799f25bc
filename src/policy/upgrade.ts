/**
 * The converter for plans written before risk came from policy: adds to
 * `riskySteps` every step the manifests and the policy now require, and sets
 * `requiresConfirmation`. It only ever adds approval; rollbacks it cannot fix
 * safely (a foreign or unexplained one) are left for the validator to name.
 * Edits the YAML document in place, so comments and layout survive.
 */
import { isSeq, parseDocument } from "yaml";
import type { Registry } from "../registry/registry.js";
import { validatePlanText } from "../validator/index.js";
import { requiredRiskySteps } from "./assess.js";

export type Upgrade =
  | { ok: true; text: string; added: string[] }
  /** Not a plan the converter can read (schema problems): the validator says why. */
  | { ok: false; message: string };

export function upgradeRiskText(text: string, file: string, registry: Registry): Upgrade {
  const checked = validatePlanText(text, file, registry);
  const plan = checked.plan;
  if (!plan)
    return { ok: false, message: `${file}: not a plan the converter can read; run tsx src/validate.ts ${file}` };
  const listed = new Set(plan.riskySteps);
  const added = requiredRiskySteps(plan, registry).filter((id) => !listed.has(id));
  if (added.length === 0 && (plan.riskySteps.length === 0 || plan.requiresConfirmation))
    return { ok: true, text, added };
  const doc = parseDocument(text, { keepSourceTokens: false });
  const order = new Map(plan.steps.map((s, i) => [s.id, i]));
  const risky = [...plan.riskySteps, ...added].sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0));
  const node = doc.createNode(risky);
  const before = doc.get("riskySteps", true);
  if (isSeq(node) && isSeq(before)) node.flow = before.flow ?? false;
  doc.set("riskySteps", node);
  doc.set("requiresConfirmation", true);
  return { ok: true, text: doc.toString({ lineWidth: 0, flowCollectionPadding: false, indentSeq: true }), added };
}
