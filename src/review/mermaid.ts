import type { PlanView, StepView } from "./model.js";
import { oneLine } from "./safe-text.js";

/**
 * The dependency graph as a Mermaid flowchart GitHub renders. Node ids are
 * derived from step ids by an injective escape (so `end`, `a-b`, `a_b` and
 * `1x` never clash with keywords or each other); labels are always quoted
 * and every character Mermaid treats specially is written as an entity.
 */
export function mermaidGraph(view: PlanView): string {
  const lines = ["flowchart TD"];
  const known = new Set(view.steps.map((s) => s.id));
  for (const step of view.steps) lines.push(`  ${nodeId(step.id)}["${label(step)}"]`);
  for (const step of view.steps) {
    for (const dep of step.dependsOn) if (known.has(dep)) lines.push(`  ${nodeId(dep)} --> ${nodeId(step.id)}`);
  }
  lines.push("  classDef risky fill:#ffe0e0,stroke:#c00000,stroke-width:2px");
  lines.push("  classDef noRollback stroke-dasharray:5 5");
  const risky = view.steps.filter((s) => s.risky);
  const noRollback = view.steps.filter((s) => s.rollback.kind !== "call");
  if (risky.length > 0) lines.push(`  class ${risky.map((s) => nodeId(s.id)).join(",")} risky`);
  if (noRollback.length > 0) lines.push(`  class ${noRollback.map((s) => nodeId(s.id)).join(",")} noRollback`);
  return lines.join("\n");
}

/**
 * `s_` + the id with `[a-z0-9]` kept, `_` doubled and anything else as
 * `_<hex code point>_`: injective, never a keyword, never starts with a digit.
 */
export function nodeId(id: string): string {
  let out = "s_";
  for (const ch of id) {
    if (/^[a-z0-9]$/.test(ch)) out += ch;
    else if (ch === "_") out += "__";
    else out += `_${ch.codePointAt(0)!.toString(16)}_`;
  }
  return out;
}

function label(step: StepView): string {
  const rollback =
    step.rollback.kind === "call"
      ? `↩ ${step.rollback.tool}`
      : step.rollback.kind === "none"
        ? "↩ none"
        : step.rollback.kind === "irreversible"
          ? "↩ irreversible"
          : "↩ missing";
  const head = `${step.order}. ${step.id}${step.risky ? " ⚠ risky" : ""}`;
  return [head, step.tool, rollback].map(escapeLabel).join("<br/>");
}

/** Mermaid entity codes (`#quot;`, `#35;`…) for everything that could end a quoted label or be read as markup. */
export function escapeLabel(text: string): string {
  return oneLine(text).replace(/[#"<>[\]{}()|&`;\\]/g, (ch) => ENTITIES[ch] ?? `#${ch.codePointAt(0)};`);
}

const ENTITIES: Record<string, string> = { '"': "#quot;", "<": "#lt;", ">": "#gt;", "&": "#amp;" };
