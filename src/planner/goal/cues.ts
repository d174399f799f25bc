/**
 * Cues: the words before a value that say which slot it fills when two slots
 * share a type (`from us-east-1` is the source, `to eu-west-1` the target).
 */
import type { Method } from "../offline/methods.js";
import { ARTICLES } from "./lexicon.js";
import { nameKey, type Part } from "./words.js";

export interface Cue {
  slot: string;
  seq: string[];
}

const compiled = new WeakMap<Method, Cue[]>();

export function cuesOf(method: Method): Cue[] {
  let cues = compiled.get(method);
  if (!cues) {
    cues = Object.entries(method.slots ?? {})
      .flatMap(([slot, s]) => (s.cues ?? []).map((c) => ({ slot, seq: nameKey(c).split(" ") })))
      .filter((c) => c.seq[0] !== "")
      .sort((a, b) => b.seq.length - a.seq.length);
    compiled.set(method, cues);
  }
  return cues;
}

/** The cue that ends right before part `at`, looking past articles and `skip`ped parts (a type's nouns). */
export function cueBefore(
  parts: readonly Part[],
  at: number,
  cues: readonly Cue[],
  skip: ReadonlySet<number>,
): Cue | undefined {
  for (let p = at - 1; p >= 0; p--) {
    for (const cue of cues) {
      const from = p - cue.seq.length + 1;
      if (from < 0 || !parts[from]!.first || !parts[p]!.last) continue;
      if (cue.seq.every((w, k) => parts[from + k]!.lower === w)) return cue;
    }
    if (!(ARTICLES.has(parts[p]!.lower) || skip.has(p))) return undefined;
  }
  return undefined;
}

/** Parts that are some cue of the method, anywhere in the goal. */
export function cueParts(parts: readonly Part[], cues: readonly Cue[], taken: ReadonlySet<number>): Set<number> {
  const out = new Set<number>();
  for (const cue of cues)
    for (let i = 0; i + cue.seq.length <= parts.length; i++) {
      if (!parts[i]!.first || !parts[i + cue.seq.length - 1]!.last) continue;
      if (cue.seq.every((w, k) => parts[i + k]!.lower === w && !taken.has(i + k)))
        for (let k = 0; k < cue.seq.length; k++) out.add(i + k);
    }
  return out;
}
