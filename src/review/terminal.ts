import type { Problem } from "../schema/source.js";
import { riskText, rollbackText, type PlanView } from "./model.js";
import { terminalText } from "./safe-text.js";

/** A plan for a terminal: header, steps in run order with their undo, and the context. */
export function planText(view: PlanView, options: { file: string; problems?: Problem[] }): string {
  const risky = view.steps.filter((s) => s.risky).map((s) => s.id);
  const out = [
    `Plan ${view.name} (${options.file})`,
    `  goal:        ${oneLine(view.goal)}`,
    `  planned by:  ${view.provenance}`,
    `  steps:       ${view.steps.length}, risky: ${risky.length > 0 ? risky.join(", ") : "none"}, needs confirmation: ${view.requiresConfirmation ? "yes" : "no"}`,
    "",
  ];
  for (const p of options.problems ?? []) out.push(`  ! ${p.file}:${p.line}:${p.col}  ${p.message}  [${p.rule}]`);
  if (options.problems?.length) out.push("");
  for (const s of view.steps) {
    out.push(`${String(s.order).padStart(2)}. ${s.id}  ${s.tool}${s.risky ? "  [RISKY]" : ""}`);
    if (s.dependsOn.length > 0) out.push(`      after:    ${s.dependsOn.join(", ")}`);
    if (s.args) out.push(`      args:     ${s.args}`);
    out.push(`      expect:   ${oneLine(s.expectedOutcome)}${s.expect ? `  [${s.expect}]` : ""}`);
    out.push(`      rollback: ${rollbackText(s.rollback)}`);
    out.push(`      risk:     ${riskText(s)}`);
    for (const w of s.warnings) out.push(`      WARNING:  ${oneLine(w)}`);
  }
  if (view.context.length > 0) {
    out.push("", "Context (read when planned):");
    for (const c of view.context) out.push(`  ${c.id}  ${c.tool} ${c.args}`, `      → ${c.output}`);
  }
  // Everything above may come from the plan: no escape sequence reaches the reviewer's terminal.
  return terminalText(`${out.join("\n")}\n`);
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}
