import type { Problem } from "../schema/source.js";
import { diffPlans, type Change } from "./diff.js";
import { diffMarkdown, diffText } from "./diff-render.js";
import { loadPlanAtRevision, loadPlanFile, type ReviewInput } from "./load.js";

export type DiffFormat = "text" | "markdown" | "json";
export type CompareResult = { ok: true; changes: Change[]; output: string } | { ok: false; problems: Problem[] };

/** Diffs two plan files on disk. */
export async function compareFiles(oldFile: string, newFile: string, format: DiffFormat): Promise<CompareResult> {
  const [before, after] = await Promise.all([loadPlanFile(oldFile), loadPlanFile(newFile)]);
  return compare(before, after, newFile, format);
}

/** Diffs `file` as it is on disk against the same path at git revision `rev`. A file missing on one side diffs against nothing. */
export async function compareWithRevision(rev: string, file: string, format: DiffFormat): Promise<CompareResult> {
  const [before, after] = await Promise.all([loadPlanAtRevision(rev, file), loadPlanFile(file, { allowAbsent: true })]);
  if (before.status === "absent" && after.status === "absent") {
    return {
      ok: false,
      problems: [
        { file, line: 1, col: 1, rule: "io", path: [], message: `cannot read plan: no such file, here or at ${rev}` },
      ],
    };
  }
  return compare(before, after, file, format);
}

function compare(before: ReviewInput, after: ReviewInput, file: string, format: DiffFormat): CompareResult {
  const problems = [before, after].flatMap((side) => (side.status === "invalid" ? side.problems : []));
  if (problems.length > 0) return { ok: false, problems };
  const plan = (side: ReviewInput) => (side.status === "loaded" ? side.plan : undefined);
  const changes = diffPlans(plan(before), plan(after));
  const heading = { file, old: label(before), new: label(after) };
  const output =
    format === "json"
      ? `${JSON.stringify({ ...heading, changes }, null, 2)}\n`
      : format === "markdown"
        ? diffMarkdown(changes, heading)
        : diffText(changes, heading);
  return { ok: true, changes, output };
}

function label(side: ReviewInput): string {
  return side.status === "absent" ? `${side.label} (absent)` : side.label;
}
