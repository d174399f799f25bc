/** Normalise → render → validate: a plan is judged by exactly the bytes that will be written. */
import type { Registry } from "../registry/registry.js";
import { formatPath } from "../references/index.js";
import { renderPlanYaml } from "../schema/render.js";
import { parseYamlSource, type Problem } from "../schema/source.js";
import type { Plan } from "../schema/types.generated.js";
import { validatePlanText } from "../validator/index.js";
import { riskyProblems, toPlan, type DraftStep } from "./normalize.js";
import type { AttemptProblem } from "./types.js";

export type Judged =
  | { ok: true; plan: Plan; yaml: string; digest: string }
  | { ok: false; problems: AttemptProblem[]; plan?: Plan; validatorProblems?: Problem[] };

export function finish(steps: DraftStep[], envelope: Parameters<typeof toPlan>[1], registry: Registry): Judged {
  const plan = toPlan(steps, envelope, registry);
  let yaml: string;
  try {
    yaml = renderPlanYaml(plan);
  } catch (error) {
    return {
      ok: false,
      problems: [{ rule: "shape", where: "", message: `the plan cannot be rendered: ${(error as Error).message}` }],
      plan,
    };
  }
  const result = validatePlanText(yaml, "<plan>", registry);
  const drafted = draftProblems(steps, yaml);
  if (result.ok && drafted.length === 0) return { ok: true, plan: result.plan, yaml, digest: result.digest };
  const problems = [...drafted, ...(result.ok ? [] : result.problems)];
  return {
    ok: false,
    problems: problems.map((p) => ({ rule: p.rule, where: formatPath(p.path), message: p.message })),
    plan,
    validatorProblems: problems,
  };
}

/** What the answer said that the plan cannot carry (a non-boolean `risky`), located at its step in the rendered plan. */
function draftProblems(steps: DraftStep[], yaml: string): Problem[] {
  const found = riskyProblems(steps);
  if (found.length === 0) return [];
  const parsed = parseYamlSource(yaml, "<plan>");
  return found.map(({ index, message }) => {
    const path = ["steps", index, "risky"];
    const where = parsed.ok ? parsed.source.locate(["steps", index]) : { line: 1, col: 1 };
    return { file: "<plan>", line: where.line, col: where.col, rule: "bad-risky", path, message };
  });
}

export function formatProblem(p: AttemptProblem): string {
  return p.where ? `${p.where}: ${p.message}` : p.message;
}
