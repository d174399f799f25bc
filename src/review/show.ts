import type { Registry } from "../registry/registry.js";
import type { Problem } from "../schema/source.js";
import { loadPlanFile } from "./load.js";
import { planMarkdown } from "./markdown.js";
import { planView } from "./model.js";
import { planText } from "./terminal.js";

export type ShowFormat = "text" | "markdown" | "json";
export interface ShowOptions {
  format: ShowFormat;
  /** Refuse a plan with any problem (default). Otherwise only schema problems refuse; the rest are shown. */
  validate?: boolean;
  registry?: Registry;
}

export type ShowResult = { ok: true; output: string } | { ok: false; problems: Problem[] };

/** Loads, checks and renders one plan file. */
export async function showPlan(file: string, options: ShowOptions): Promise<ShowResult> {
  const input = await loadPlanFile(file, { registry: options.registry });
  if (input.status === "invalid") return { ok: false, problems: input.problems };
  if (input.status === "absent")
    return {
      ok: false,
      problems: [{ file, line: 1, col: 1, rule: "io", path: [], message: "cannot read plan: no such file" }],
    };
  if (options.validate !== false && input.problems.length > 0) return { ok: false, problems: input.problems };
  const view = planView(input.plan, options.registry);
  const problems = input.problems;
  if (options.format === "json")
    return { ok: true, output: `${JSON.stringify({ file, ...view, problems }, null, 2)}\n` };
  if (options.format === "markdown") return { ok: true, output: planMarkdown(view, { file, problems }) };
  return { ok: true, output: planText(view, { file, problems }) };
}
