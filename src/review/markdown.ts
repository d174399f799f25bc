import type { Problem } from "../schema/source.js";
import { mermaidGraph } from "./mermaid.js";
import { markdownCode, markdownMessage, markdownText } from "./safe-text.js";
import { riskText, rollbackText, type PlanView } from "./model.js";

/** A plan as a pull-request comment: summary, step table, Mermaid graph, context. */
export function planMarkdown(view: PlanView, options: { file: string; problems?: Problem[] }): string {
  const risky = view.steps.filter((s) => s.risky).map((s) => code(s.id));
  const out = [
    `### Plan ${code(view.name)} — ${cell(view.goal)}`,
    "",
    `**File:** ${code(options.file)} · **Steps:** ${view.steps.length} · **Risky:** ${risky.length > 0 ? risky.join(", ") : "none"} · **Needs confirmation:** ${view.requiresConfirmation ? "yes" : "no"} · **Planned by:** ${cell(view.provenance)}`,
    "",
  ];
  if (options.problems && options.problems.length > 0) {
    out.push(`> [!WARNING]`, `> Rendered without validation; ${options.problems.length} problem(s):`);
    for (const p of options.problems)
      out.push(`> - ${code(`${p.file}:${p.line}:${p.col}`)} ${markdownMessage(p.message)} [${cell(p.rule)}]`);
    out.push("");
  }
  out.push("| # | Step | Tool | Key args | Expected outcome | Rollback | Risk |", "|---|---|---|---|---|---|---|");
  for (const s of view.steps) {
    const after = s.dependsOn.length > 0 ? `<br/>after ${s.dependsOn.map(code).join(", ")}` : "";
    const outcome = s.expect ? `${cell(s.expectedOutcome)}<br/>${code(s.expect)}` : cell(s.expectedOutcome);
    const risk = s.risky ? `⚠️ **${cell(riskText(s))}**` : cell(riskText(s));
    out.push(
      `| ${s.order} | ${code(s.id)}${after} | ${code(s.tool)} | ${s.args ? code(s.args) : "—"} | ${outcome} | ${s.rollback.kind === "missing" ? "—" : code(rollbackText(s.rollback))} | ${risk} |`,
    );
  }
  const warned = view.steps.filter((s) => s.warnings.length > 0);
  if (warned.length > 0) {
    out.push("", "> [!WARNING]", "> Rollbacks and effects to review before approving:");
    for (const s of warned) for (const w of s.warnings) out.push(`> - ${code(s.id)}: ${markdownMessage(w)}`);
  }
  out.push("", "```mermaid", mermaidGraph(view), "```", "");
  if (view.context.length > 0) {
    out.push(
      "<details><summary>Context the plan was made on</summary>",
      "",
      "| Id | Tool | Args | Output |",
      "|---|---|---|---|",
    );
    for (const c of view.context) out.push(`| ${code(c.id)} | ${code(c.tool)} | ${code(c.args)} | ${code(c.output)} |`);
    out.push("", "</details>", "");
  }
  return out.join("\n");
}

/** Text safe inside a table cell or a paragraph (see safe-text.ts). */
export const cell = markdownText;

/** An inline code span that survives backticks, pipes and control characters in the text. */
export const code = markdownCode;
