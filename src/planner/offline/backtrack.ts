/**
 * HTN backtracking on proofs: decompose, emit, prove; when the proof fails
 * at a step, rule out a choice behind that step — the innermost first, then
 * outwards — and decompose again, so the task takes its next alternative (or
 * a task it depends on does). Deterministic: the same world gives the same
 * sequence of tries.
 */
import type { Plan } from "../../schema/types.generated.js";
import type { Judged } from "../judge.js";
import { describeFailure, type Proof, type Prover } from "../prove.js";
import type { Ban, Decomposition } from "./htn.js";

/** Dry runs per goal method at most: each costs 10–20 ms on the sandbox. */
export const MAX_PROOFS = 6;

type Applied = Extract<Decomposition, { ok: true }>;

export type Proven =
  | { ok: true; applied: Applied; judged: Extract<Judged, { ok: true }>; proofs: number }
  /** The method produced an invalid plan: a bug in the method, reported as such. */
  | { ok: "invalid"; applied: Applied; judged: Extract<Judged, { ok: false }>; proofs: number }
  /** No decomposition left; `failures` are the proofs that failed on the way, in order. */
  | { ok: false; reasons: string[]; failures: string[]; proofs: number };

export async function decomposeProven(
  decompose: (bans: readonly Ban[]) => Decomposition,
  emit: (applied: Applied) => Judged,
  prove: Prover | undefined,
): Promise<Proven> {
  let bans: readonly Ban[] = [];
  const failures: string[] = [];
  // Another choice can make the same calls (two alternatives picking one subnet, worded apart): same verdict.
  const verdicts = new Map<string, Proof>();
  let proofs = 0;
  let applied = decompose(bans);
  for (;;) {
    if (!applied.ok) return { ok: false, reasons: applied.reasons, failures, proofs };
    const judged = emit(applied);
    if (!judged.ok) return { ok: "invalid", applied, judged, proofs };
    if (!prove) return { ok: true, applied, judged, proofs };
    const calls = callsOf(judged.plan);
    let proof = verdicts.get(calls);
    if (!proof) {
      if (proofs >= MAX_PROOFS)
        return { ok: false, reasons: [`gave up after ${MAX_PROOFS} plans failed their dry run`], failures, proofs };
      proofs++;
      proof = await prove(judged.plan);
      verdicts.set(calls, proof);
    }
    if (proof.ok) return { ok: true, applied, judged, proofs };

    const why = describeFailure(proof);
    if (!failures.includes(why)) failures.push(why);
    const chain = (proof.step && applied.origins.get(proof.step)) || [...applied.origins.values()][0] || [];
    let next: Decomposition | undefined;
    let firstRefusal: string[] | undefined;
    for (let i = chain.length - 1; i >= 0 && !next?.ok; i--) {
      const ban: Ban = { choice: chain[i]!, given: chain.slice(0, i), why };
      if (bans.some((b) => b.choice === ban.choice && sameList(b.given, ban.given))) continue;
      const trial = decompose([...bans, ban]);
      if (trial.ok) {
        bans = [...bans, ban];
        next = trial;
      } else firstRefusal ??= trial.reasons;
    }
    if (!next?.ok) return { ok: false, reasons: firstRefusal ?? [why], failures, proofs };
    applied = next;
  }
}

/** What a dry run depends on: the calls, their order and checks; not descriptions or expected outcomes. */
function callsOf(plan: Plan): string {
  return JSON.stringify(plan.steps.map((s) => [s.id, s.tool, s.args, s.dependsOn, s.expect]));
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
