import type { Plan } from "../../schema/types.generated.js";
import { knownNames } from "../closest.js";
import type { Rule, RuleProblem } from "./types.js";

/** Step ids and context ids are unique within their list. */
export const duplicateIds: Rule = ({ plan }) => {
  const problems: RuleProblem[] = [];
  for (const list of ["steps", "context"] as const) {
    const seen = new Map<string, number>();
    (plan[list] ?? []).forEach((entry, i) => {
      const first = seen.get(entry.id);
      if (first === undefined) seen.set(entry.id, i);
      else
        problems.push({
          rule: "duplicate-id",
          path: [list, i, "id"],
          message: `duplicate ${list === "steps" ? "step" : "context"} id \`${entry.id}\` (first used by ${list}[${first}]); ids must be unique`,
        });
    });
  }
  return problems;
};

/** Every `dependsOn` names another step of the plan. */
export const knownDependencies: Rule = ({ plan, steps }) => {
  const problems: RuleProblem[] = [];
  const known = [...steps.keys()];
  plan.steps.forEach((step, i) => {
    (step.dependsOn ?? []).forEach((dep, j) => {
      if (dep === step.id)
        problems.push({
          rule: "unknown-dependency",
          path: ["steps", i, "dependsOn", j],
          message: `step \`${step.id}\` depends on itself`,
        });
      else if (!steps.has(dep))
        problems.push({
          rule: "unknown-dependency",
          path: ["steps", i, "dependsOn", j],
          message: `step \`${step.id}\` depends on \`${dep}\`, which is not a step of this plan; ${knownNames("steps", dep, known)}`,
        });
    });
  });
  return problems;
};

/** The dependency graph is acyclic; a cycle is reported once, naming its steps in order. */
export const noCycles: Rule = ({ plan }) => {
  const cycle = findCycle(plan);
  if (!cycle) return [];
  const index = plan.steps.findIndex((s) => s.id === cycle[0]);
  return [
    {
      rule: "cycle",
      path: ["steps", index, "dependsOn"],
      message: `dependency cycle: ${[...cycle, cycle[0]].join(" → ")}; a plan must be a DAG`,
    },
  ];
};

/** Returns one cycle as a list of step ids, or undefined. Iterative DFS: plans may be large or hostile. */
export function findCycle(plan: Plan): string[] | undefined {
  const deps = new Map(plan.steps.map((s) => [s.id, (s.dependsOn ?? []).filter((d) => d !== s.id)]));
  const state = new Map<string, "active" | "done">();
  for (const start of deps.keys()) {
    if (state.has(start)) continue;
    const stack: { id: string; next: number }[] = [{ id: start, next: 0 }];
    state.set(start, "active");
    while (stack.length > 0) {
      const frame = stack.at(-1)!;
      const children = deps.get(frame.id) ?? [];
      if (frame.next >= children.length) {
        state.set(frame.id, "done");
        stack.pop();
        continue;
      }
      const child = children[frame.next++]!;
      if (!deps.has(child)) continue;
      const s = state.get(child);
      if (s === "active") {
        const from = stack.findIndex((f) => f.id === child);
        return stack
          .slice(from)
          .map((f) => f.id)
          .reverse();
      }
      if (s === undefined) {
        state.set(child, "active");
        stack.push({ id: child, next: 0 });
      }
    }
  }
  return undefined;
}

/** Steps in an order where every step follows its dependencies (Kahn); undefined when there is a cycle. */
export function topologicalOrder(plan: Plan): string[] | undefined {
  const ids = new Set(plan.steps.map((s) => s.id));
  const indegree = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const s of plan.steps) {
    const deps = new Set((s.dependsOn ?? []).filter((d) => ids.has(d)));
    indegree.set(s.id, deps.size);
    for (const d of deps) dependents.set(d, [...(dependents.get(d) ?? []), s.id]);
  }
  const ready = [...indegree].filter(([, n]) => n === 0).map(([id]) => id);
  const order: string[] = [];
  while (ready.length > 0) {
    const id = ready.shift()!;
    order.push(id);
    for (const next of dependents.get(id) ?? []) {
      const n = indegree.get(next)! - 1;
      indegree.set(next, n);
      if (n === 0) ready.push(next);
    }
  }
  return order.length === indegree.size ? order : undefined;
}

/** Whether `step` transitively depends on `target`, with a count of graph visits (for the linearity test). */
export interface DependencyOracle {
  (step: string, target: string): boolean;
  visits(): number;
}

/**
 * Answers "does `step` transitively depend on `target`?" without building the
 * transitive closure (quadratic on long chains): direct dependencies first,
 * the common case; then everything that depends on `target`, computed once
 * per target and kept, so a thousand steps reading one early step cost one
 * walk, not a thousand.
 */
export function dependencyOracle(plan: Plan): DependencyOracle {
  const deps = new Map(plan.steps.map((s) => [s.id, s.dependsOn ?? []]));
  const acyclic = findCycle(plan) === undefined;
  let dependents: Map<string, string[]> | undefined;
  const downstream = new Map<string, Set<string>>();
  let visits = 0;
  const oracle = (step: string, target: string): boolean => {
    if (!acyclic) return false;
    const direct = deps.get(step);
    if (!direct) return false;
    if (direct.includes(target)) return true;
    let reached = downstream.get(target);
    if (!reached) {
      dependents ??= invert(deps);
      reached = new Set<string>();
      const stack = [target];
      while (stack.length > 0) {
        const id = stack.pop()!;
        visits++;
        for (const next of dependents.get(id) ?? [])
          if (!reached.has(next)) {
            reached.add(next);
            stack.push(next);
          }
      }
      downstream.set(target, reached);
    }
    return reached.has(step);
  };
  return Object.assign(oracle, { visits: () => visits });
}

function invert(deps: Map<string, string[]>): Map<string, string[]> {
  const dependents = new Map<string, string[]>();
  for (const [id, list] of deps)
    for (const d of new Set(list)) {
      const entry = dependents.get(d);
      if (entry) entry.push(id);
      else dependents.set(d, [id]);
    }
  return dependents;
}
