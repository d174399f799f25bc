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

/** Every `dependsOn` names another step of the plan, once. */
export const knownDependencies: Rule = ({ plan, steps, graph }) => {
  const problems: RuleProblem[] = [];
  let known: string[] | undefined;
  for (const { step: i, dep: j, why } of graph.bad) {
    const step = plan.steps[i]!;
    const dep = step.dependsOn![j]!;
    const path = ["steps", i, "dependsOn", j];
    if (why === "self")
      problems.push({ rule: "unknown-dependency", path, message: `step \`${step.id}\` depends on itself` });
    else if (why === "repeated")
      problems.push({
        rule: "duplicate-dependency",
        path,
        message: `step \`${step.id}\` lists \`${dep}\` twice in dependsOn; name each dependency once`,
      });
    else {
      known ??= [...steps.keys()];
      problems.push({
        rule: "unknown-dependency",
        path,
        message: `step \`${step.id}\` depends on \`${dep}\`, which is not a step of this plan; ${knownNames("steps", dep, known)}`,
      });
    }
  }
  return problems;
};

/** The dependency graph is acyclic; a cycle is reported once, naming its steps in order. */
export const noCycles: Rule = ({ plan, cycle }) => {
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

/**
 * The dependency graph over step indexes, built in one pass of one Map lookup
 * per edge: a 2,000-step plan with 100,000 edges is checked before every run.
 * The edges of step i are `targets[offsets[i] .. offsets[i+1])`; unknown,
 * self and repeated dependencies are left out and listed in `bad`. A repeated
 * step id has no edges of its own: its first occurrence speaks for it.
 */
export interface StepGraph {
  index: Map<string, number>;
  offsets: Int32Array;
  targets: Int32Array;
  bad: { step: number; dep: number; why: "unknown" | "self" | "repeated" }[];
}

export function stepGraph(plan: Plan): StepGraph {
  const steps = plan.steps;
  const n = steps.length;
  const index = new Map<string, number>();
  let edges = 0;
  for (let i = 0; i < n; i++) {
    const step = steps[i]!;
    if (!index.has(step.id)) index.set(step.id, i);
    edges += step.dependsOn?.length ?? 0;
  }
  // Sized once: a growing list of 100,000 edges, copied into a typed array at the end, cost as much as the lookups.
  const offsets = new Int32Array(n + 1);
  const targets = new Int32Array(edges);
  let count = 0;
  const bad: StepGraph["bad"] = [];
  // seenBy[j] === i + 1: step i already listed j (no Set per step).
  const seenBy = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const step = steps[i]!;
    offsets[i] = count;
    const deps = step.dependsOn;
    if (deps === undefined) continue;
    const own = index.get(step.id) === i;
    for (let k = 0; k < deps.length; k++) {
      const j = index.get(deps[k]!);
      if (j === undefined) bad.push({ step: i, dep: k, why: "unknown" });
      // A repeated step id maps to its first occurrence: only a string comparison tells it names itself.
      else if (j === i || (!own && deps[k] === step.id)) bad.push({ step: i, dep: k, why: "self" });
      else if (seenBy[j] === i + 1) bad.push({ step: i, dep: k, why: "repeated" });
      else {
        seenBy[j] = i + 1;
        if (own) targets[count++] = j;
      }
    }
  }
  offsets[n] = count;
  return { index, offsets, targets: targets.subarray(0, count), bad };
}

/** Returns one cycle as a list of step ids, or undefined. Iterative DFS: plans may be large or hostile. */
export function findCycle(plan: Plan, graph: StepGraph = stepGraph(plan)): string[] | undefined {
  const { offsets, targets } = graph;
  const n = plan.steps.length;
  const ACTIVE = 1;
  const DONE = 2;
  const state = new Uint8Array(n);
  const stack: number[] = [];
  const next: number[] = [];
  for (let start = 0; start < n; start++) {
    if (state[start] !== 0) continue;
    stack.push(start);
    next.push(offsets[start]!);
    state[start] = ACTIVE;
    while (stack.length > 0) {
      const top = stack.length - 1;
      const id = stack[top]!;
      if (next[top]! >= offsets[id + 1]!) {
        state[id] = DONE;
        stack.pop();
        next.pop();
        continue;
      }
      const child = targets[next[top]!++]!;
      if (state[child] === ACTIVE) {
        const from = stack.indexOf(child);
        return stack
          .slice(from)
          .map((i) => plan.steps[i]!.id)
          .reverse();
      }
      if (state[child] === 0) {
        state[child] = ACTIVE;
        stack.push(child);
        next.push(offsets[child]!);
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
    for (const d of deps) {
      const list = dependents.get(d);
      if (list) list.push(s.id);
      else dependents.set(d, [s.id]);
    }
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
export function dependencyOracle(plan: Plan, acyclic = findCycle(plan) === undefined): DependencyOracle {
  // Made on the first question: most plans reference no other step, and a map of every step built before each
  // run lives through the young generation's collections (issue 16, item 4).
  let deps: Map<string, string[]> | undefined;
  let dependents: Map<string, string[]> | undefined;
  const downstream = new Map<string, Set<string>>();
  let visits = 0;
  const oracle = (step: string, target: string): boolean => {
    if (!acyclic) return false;
    deps ??= new Map(plan.steps.map((s) => [s.id, s.dependsOn ?? []]));
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
