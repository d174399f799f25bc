/**
 * A validated plan: made only by the validator, so the runner can take it
 * without checking the plan again (issue 16: validate and digest once per
 * run). The brand is a type for the compiler and a WeakMap entry at run time:
 * a look-alike object, or a spread copy of a real one, is not trusted. The
 * token remembers the registry the plan was checked against; another
 * registry (other tools, another policy) means checking again.
 *
 * The plan must not change after validation: the runner trusts the token,
 * and a plan changed afterwards would run unchecked.
 */
import type { Registry } from "../registry/registry.js";
import type { Plan } from "../schema/types.generated.js";
import { sealPlan } from "./digest.js";
import type { StepGraph } from "./rules/graph.js";

declare const brand: unique symbol;

export interface ValidatedPlan {
  readonly ok: true;
  readonly plan: Plan;
  /** sha256 of the plan's canonical JSON; computed on first read (it costs as much as the rules together). */
  readonly digest: string;
  /** The dependency graph the validator built: the runner schedules on it instead of building its own. */
  readonly graph: StepGraph;
  readonly [brand]: true;
}

const issued = new WeakMap<object, Registry>();
const canonical = new WeakMap<object, () => { digest: string; json?: () => Buffer[] }>();

export function issue(plan: Plan, registry: Registry, graph: StepGraph): ValidatedPlan {
  let digest: string | undefined;
  const sealed = (): { digest: string; json?: () => Buffer[] } => {
    if (digest !== undefined) return { digest };
    const sealed = sealPlan(plan, true);
    digest = sealed.digest;
    return sealed;
  };
  const token = {
    ok: true as const,
    plan,
    graph,
    get digest() {
      return sealed().digest;
    },
  } as ValidatedPlan;
  issued.set(token, registry);
  canonical.set(token, sealed);
  return token;
}

/**
 * The plan's digest, and its canonical JSON when this is the first time it is
 * computed: the runner writes that text into the journal's first line instead
 * of serializing the plan a second time (a 2,000-step plan's text is a
 * megabyte). The token does not keep the text: a run holds it only until that
 * line is written.
 */
export function sealedPlan(token: ValidatedPlan): { digest: string; json?: () => Buffer[] } {
  return canonical.get(token)?.() ?? { digest: token.digest };
}

/** Whether `value` is a token the validator issued for `registry`. */
export function isValidatedFor(value: unknown, registry: Registry): value is ValidatedPlan {
  return typeof value === "object" && value !== null && issued.get(value) === registry;
}

/** Whether `value` is a token the validator issued, for any registry. */
export function isValidated(value: unknown): value is ValidatedPlan {
  return typeof value === "object" && value !== null && issued.has(value);
}
