import { execFile } from "node:child_process";
import { basename, dirname, resolve } from "node:path";
import { PlanfileError } from "../errors.js";
import { Registry } from "../registry/registry.js";
import { firstInvalidUtf8 } from "../schema/read-file.js";
import { readUntrustedFile } from "../schema/read-file.js";
import { SOURCE_LIMITS, type Problem } from "../schema/source.js";
import type { Plan } from "../schema/types.generated.js";
import { validatePlanText } from "../validator/index.js";

/**
 * One side of a review: a plan, or nothing (the file does not exist at that
 * revision — a new plan diffs as "every step added").
 */
export type ReviewInput =
  | { status: "loaded"; label: string; plan: Plan; problems: Problem[] }
  | { status: "absent"; label: string }
  | { status: "invalid"; label: string; problems: Problem[] };

export interface LoadOptions {
  /** Validate against these tools; without it only the schema is checked (enough to render and diff). */
  registry?: Registry;
}

/** Reads a plan from disk. A missing file is `absent` only when `allowAbsent`; otherwise a located problem. */
export async function loadPlanFile(
  file: string,
  options: LoadOptions & { allowAbsent?: boolean } = {},
): Promise<ReviewInput> {
  const read = readUntrustedFile(file, { maxBytes: SOURCE_LIMITS.maxBytes, noun: "plan" });
  if (!read.ok) {
    if (read.missing && options.allowAbsent) return { status: "absent", label: file };
    return { status: "invalid", label: file, problems: read.problems };
  }
  const text = read.text;
  return loadPlanText(text, file, options);
}

/** Reads `file` as it was at git revision `rev` (`git show rev:./file`, run from the file's folder, no shell). */
export async function loadPlanAtRevision(rev: string, file: string, options: LoadOptions = {}): Promise<ReviewInput> {
  const label = `${file}@${rev}`;
  if (rev.startsWith("-")) throw new PlanfileError("USAGE", `--base ${rev}: a revision cannot start with "-"`);
  const result = await git(["show", `${rev}:./${basename(file)}`], dirname(resolve(file)));
  if (result.ok) {
    const bad = firstInvalidUtf8(result.stdout);
    if (bad < result.stdout.length) {
      const problem = {
        file: label,
        line: 1,
        col: 1,
        rule: "io",
        path: [],
        message: `plan is not valid UTF-8 (offset ${bad}); save it as UTF-8`,
      };
      return { status: "invalid", label, problems: [problem] };
    }
    if (result.stdout.length > SOURCE_LIMITS.maxBytes)
      return loadPlanText(" ".repeat(SOURCE_LIMITS.maxBytes + 1), label, options); // the size problem, worded once in source.ts
    return loadPlanText(result.stdout.toString("utf8"), label, options);
  }
  if (/does not exist in|exists on disk, but not in/.test(result.stderr)) return { status: "absent", label };
  throw new PlanfileError(
    "USAGE",
    `cannot read ${file} at revision ${rev}: ${result.stderr.trim() || "git failed"}; is ${rev} a commit of this repository (fetch it first in CI)?`,
  );
}

/** Parses and checks plan text. Schema problems make it `invalid`; rule problems are kept beside the plan. */
export function loadPlanText(text: string, label: string, options: LoadOptions = {}): ReviewInput {
  // An empty registry makes every tool "unknown"; those rule problems are dropped when no tools were given.
  const result = validatePlanText(text, label, options.registry ?? new Registry());
  if (result.ok) return { status: "loaded", label, plan: result.plan, problems: [] };
  if (!result.plan) return { status: "invalid", label, problems: result.problems };
  const problems = options.registry ? result.problems : result.problems.filter((p) => !REGISTRY_RULES.has(p.rule));
  return { status: "loaded", label, plan: result.plan, problems };
}

/** Rules that need the tools; without a registry they say nothing about the plan itself. */
const REGISTRY_RULES = new Set(["unknown-tool"]);

function git(args: string[], cwd: string): Promise<{ ok: true; stdout: Buffer } | { ok: false; stderr: string }> {
  return new Promise((done) => {
    execFile("git", args, { cwd, maxBuffer: 8 * 1024 * 1024, encoding: "buffer" }, (error, stdout, stderr) => {
      done(error ? { ok: false, stderr: stderr.toString("utf8") || error.message } : { ok: true, stdout });
    });
  });
}
