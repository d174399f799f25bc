/**
 * HTN backtracking on proofs: decompose, emit, prove; when the proof fails
 * at a step, rule out the innermost choice that produced that step and
 * decompose again, so the task takes its next alternative (or its parent
 * does). Deterministic: the same world gives the same sequence of tries.
 */
import type { Judged } from "../judge.js";
import { describeFailure, type Proof, type Prover } from "../prove.js";
import type { Decomposition } from "./htn.js";

/** Dry runs per goal method at most: each costs ~20 ms on the sandbox. */
export const MAX_PROOFS = 8;

type Applied = Extract<Decomposition, { ok: true }>;

export type Proven =
  | { ok: true; applied: Applied; judged: Extract<Judged, { ok: true }>; proofs: number }
  /** The method produced an invalid plan: a bug in the method, reported as such. */
  | { ok: "invalid"; applied: Applied; judged: Extract<Judged, { ok: false }>; proofs: number }
  /** No decomposition left; `failures` are the proofs that failed on the way, in order. */
  | { ok: false; reasons: string[]; failures: string[]; proofs: number };

export async function decomposeProven(
  decompose: (banned: ReadonlyMap<string, string>) => Decomposition,
  emit: (applied: Applied) => Judged,
  prove: Prover | undefined,
): Promise<Proven> {
  const banned = new Map<string, string>();
  const failures: string[] = [];
  const tried = new Map<string, Extract<Proof, { ok: false }>>();
  let proofs = 0;
  for (;;) {
    const applied = decompose(banned);
    if (!applied.ok) return { ok: false, reasons: applied.reasons, failures, proofs };
    const judged = emit(applied);
    if (!judged.ok) return { ok: "invalid", applied, judged, proofs };
    if (!prove) return { ok: true, applied, judged, proofs };
    // Another choice can give the same plan (two alternatives picking one subnet): same plan, same verdict.
    let proof: Proof | undefined = tried.get(judged.digest);
    if (!proof) {
      if (proofs >= MAX_PROOFS)
        return {
          ok: false,
          reasons: [`gave up after ${MAX_PROOFS} plans failed their dry run`],
          failures,
          proofs,
        };
      proofs++;
      proof = await prove(judged.plan);
    }
    if (proof.ok) return { ok: true, applied, judged, proofs };
    tried.set(judged.digest, proof);
    const why = describeFailure(proof);
    if (!failures.includes(why)) failures.push(why);
    const chain = (proof.step && applied.origins.get(proof.step)) || [];
    // The innermost choice behind the failing step; a failure no step explains rules out the whole method.
    const culprit = chain.at(-1) ?? [...applied.origins.values()][0]?.[0];
    if (!culprit || banned.has(culprit)) return { ok: false, reasons: [why], failures, proofs };
    banned.set(culprit, why);
  }
}
