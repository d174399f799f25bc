/**
 * How close a plan's structure is to a reference plan's, as three F1 scores:
 *
 *   node  steps matched one-to-one by tool (among same-tool steps, the pair
 *         whose args agree most is matched first);
 *   edge  the transitive reduction of `dependsOn`, mapped through the match —
 *         so `a→b→c` plus a redundant `a→c` reads the same as `a→b→c`;
 *   args  every leaf of every step's args as `path = value`; references to
 *         other steps (`${{ steps.x.… }}`) are renamed through the match, so
 *         the same wiring under other step ids still agrees.
 *
 * Each is 2PR/(P+R); two empty sets agree perfectly (1).
 */
import type { Plan, Step } from "../schema/types.generated.js";

export interface StructureScore {
  node: number;
  edge: number;
  args: number;
  /** Candidate step id → reference step id. */
  match: Record<string, string>;
}

export function f1(truePositives: number, predicted: number, actual: number): number {
  if (predicted === 0 && actual === 0) return 1;
  if (truePositives === 0) return 0;
  const precision = truePositives / predicted;
  const recall = truePositives / actual;
  return (2 * precision * recall) / (precision + recall);
}

export function compareStructure(candidate: Plan, reference: Plan): StructureScore {
  const match = matchSteps(candidate.steps, reference.steps);
  const matched = Object.keys(match).length;

  const candEdges = reducedEdges(candidate.steps).map(([a, b]) => `${match[a] ?? `?${a}`}→${match[b] ?? `?${b}`}`);
  const refEdges = new Set(reducedEdges(reference.steps).map(([a, b]) => `${a}→${b}`));
  const edgeHits = candEdges.filter((e) => refEdges.has(e)).length;

  const rename = (id: string) => match[id] ?? `?${id}`;
  const refLeaves = new Map(reference.steps.map((s) => [s.id, new Set(leaves(s.args, (id) => id))]));
  let argHits = 0;
  let candLeafCount = 0;
  for (const step of candidate.steps) {
    const mine = leaves(step.args, rename);
    candLeafCount += mine.length;
    const theirs = match[step.id] ? refLeaves.get(match[step.id]!) : undefined;
    if (theirs) argHits += mine.filter((l) => theirs.has(l)).length;
  }
  const refLeafCount = [...refLeaves.values()].reduce((n, s) => n + s.size, 0);

  return {
    node: f1(matched, candidate.steps.length, reference.steps.length),
    edge: f1(edgeHits, candEdges.length, refEdges.size),
    args: f1(argHits, candLeafCount, refLeafCount),
    match,
  };
}

/** Same-tool steps paired greedily by how many arg leaves they share; ties go to plan order, so the result is deterministic. */
function matchSteps(candidate: Step[], reference: Step[]): Record<string, string> {
  const pairs: { c: number; r: number; score: number }[] = [];
  candidate.forEach((cs, c) =>
    reference.forEach((rs, r) => {
      if (cs.tool !== rs.tool) return;
      const theirs = new Set(leaves(rs.args, () => "*"));
      pairs.push({ c, r, score: leaves(cs.args, () => "*").filter((l) => theirs.has(l)).length });
    }),
  );
  pairs.sort((a, b) => b.score - a.score || a.c - b.c || a.r - b.r);
  const usedC = new Set<number>();
  const usedR = new Set<number>();
  const match: Record<string, string> = {};
  for (const { c, r } of pairs) {
    if (usedC.has(c) || usedR.has(r)) continue;
    usedC.add(c);
    usedR.add(r);
    match[candidate[c]!.id] = reference[r]!.id;
  }
  return match;
}

/** `dependsOn` edges (dependency → dependent) with every edge implied by a longer path removed. */
export function reducedEdges(steps: Step[]): [string, string][] {
  const deps = new Map(steps.map((s) => [s.id, [...new Set(s.dependsOn ?? [])]]));
  const reach = (from: string, to: string, skipDirect: boolean): boolean => {
    const stack = (deps.get(from) ?? []).filter((d) => !(skipDirect && d === to));
    const seen = new Set<string>();
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (id === to) return true;
      if (seen.has(id)) continue;
      seen.add(id);
      stack.push(...(deps.get(id) ?? []));
    }
    return false;
  };
  const edges: [string, string][] = [];
  for (const [id, ds] of deps) for (const d of ds) if (!reach(id, d, true)) edges.push([d, id]);
  return edges;
}

/** `path = value` for every scalar in args, with step references renamed. */
function leaves(value: unknown, rename: (id: string) => string, path = ""): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => leaves(v, rename, `${path}[${i}]`));
  if (value !== null && typeof value === "object") {
    return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) =>
      leaves(v, rename, path ? `${path}.${k}` : k),
    );
  }
  const text =
    typeof value === "string"
      ? value.replace(/steps\.([A-Za-z0-9_-]+)/g, (_m, id: string) => `steps.${rename(id)}`)
      : JSON.stringify(value);
  return [`${path}=${text}`];
}
