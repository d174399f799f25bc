/**
 * The eval suite's test cases: every wording of every scenario, and every
 * must-refuse goal. One list feeds promptfoo (evals/tests.ts) and the count
 * check of `npm run eval`, so a filter selects the same cases in both.
 *
 * Case names: `<scenario>` for a scenario's own goal, `<scenario>/<n>` for
 * its n-th variant, `refusals/<n>` for the n-th must-refuse goal.
 */
import { loadRefusals, type Refusal } from "./refusals.js";
import { loadScenarios, type Scenario } from "./scenario.js";

export type EvalCase =
  | { kind: "scenario"; name: string; scenario: Scenario; variant: number; goal: string; fixture: string }
  | { kind: "refusal"; name: string; refusal: Refusal; goal: string; fixture: string };

export function evalCases(options: { scenariosDir?: string; refusalsFile?: string } = {}): EvalCase[] {
  const scenarios = loadScenarios(options.scenariosDir).flatMap((scenario) =>
    scenario.variants.map(
      (goal, variant): EvalCase => ({
        kind: "scenario",
        name: variant === 0 ? scenario.name : `${scenario.name}/${variant}`,
        scenario,
        variant,
        goal,
        fixture: scenario.fixture,
      }),
    ),
  );
  const refusals = loadRefusals(options.refusalsFile).map(
    (refusal): EvalCase => ({
      kind: "refusal",
      name: `refusals/${refusal.n}`,
      refusal,
      goal: refusal.goal,
      fixture: refusal.fixture,
    }),
  );
  return [...scenarios, ...refusals];
}

/** The cases a `--filter` regular expression selects, matched against case names as promptfoo does. */
export function selectCases(cases: EvalCase[], filter: string | undefined): EvalCase[] {
  if (!filter) return cases;
  const pattern = new RegExp(filter);
  return cases.filter((c) => pattern.test(c.name));
}
