/** Normalise → render → validate: a plan is judged by exactly the bytes that will be written. */
import type { Registry } from "../registry/registry.js";
import { formatPath } from "../references/index.js";
import { renderPlanYaml } from "../schema/render.js";
import type { Problem } from "../schema/source.js";
import type { Plan } from "../schema/types.generated.js";
import { validatePlanText } from "../validator/index.js";
import { toPlan, type DraftStep } from "./normalize.js";
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
  if (result.ok) return { ok: true, plan: result.plan, yaml, digest: result.digest };
  return {
    ok: false,
    problems: result.problems.map((p) => ({ rule: p.rule, where: formatPath(p.path), message: p.message })),
    plan,
    validatorProblems: result.problems,
  };
}

export function formatProblem(p: AttemptProblem): string {
  return p.where ? `${p.where}: ${p.message}` : p.message;
}
