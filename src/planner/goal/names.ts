/**
 * The built-in `name` slot: a new name the world does not have yet (a person
 * to onboard). It is the words after one of the slot's cues (`named Dana
 * Ruiz`), else the one run of words the goal leaves unexplained. Several
 * words become one handle: `Dana Ruiz` → `dana.ruiz` with `join: "."`.
 */
import type { Slot } from "../offline/methods.js";
import type { Cue } from "./cues.js";
import type { Tokens } from "./words.js";

const MAX_WORDS = 3;
const HANDLE = /^[a-z][a-z0-9._-]{0,62}$/;

export type NameReading =
  | { ok: true; value: string; words: number[]; said: string }
  | { ok: false; kind: "none" }
  | { ok: false; kind: "several"; said: string[] }
  | { ok: false; kind: "bad"; said: string };

/** `free(word)`: the word is explained by nothing else (not a mention, verb, cue, noun or filler). */
export function readName(
  tokens: Tokens,
  slotName: string,
  slot: Slot,
  cues: readonly Cue[],
  free: (word: number) => boolean,
): NameReading {
  const { words, parts } = tokens;
  const runs: number[][] = [];
  let run: number[] = [];
  const close = () => {
    if (run.length > 0) runs.push(run);
    run = [];
  };
  for (let w = 0; w < words.length; w++) {
    if (!free(w)) {
      close();
      continue;
    }
    run.push(w);
    if (words[w]!.breakAfter) close();
  }
  close();

  // After a cue: the run that starts on the next word.
  const own = cues.filter((c) => c.slot === slotName);
  const cued = runs.filter((r) => {
    const before = words[r[0]! - 1];
    if (!before) return false;
    const lastPart = parts[before.to - 1]!.lower;
    return own.some((c) => c.seq[c.seq.length - 1] === lastPart);
  });
  let pick = cued.length > 0 ? cued : runs;
  if (pick.length > 1) {
    const capitalised = pick.filter((r) => r.every((w) => words[w]!.capital));
    if (capitalised.length > 0) pick = capitalised;
  }
  pick = pick.filter((r) => r.length <= MAX_WORDS);
  if (pick.length === 0) return { ok: false, kind: "none" };
  const said = (r: number[]) => r.map((w) => words[w]!.text).join(" ");
  if (pick.length > 1) return { ok: false, kind: "several", said: pick.map(said) };
  const chosen = pick[0]!;
  const value =
    chosen.length === 1
      ? words[chosen[0]!]!.lower
      : chosen.flatMap((w) => parts.slice(words[w]!.from, words[w]!.to).map((p) => p.lower)).join(slot.join ?? "-");
  if (!HANDLE.test(value)) return { ok: false, kind: "bad", said: said(chosen) };
  return { ok: true, value, words: chosen, said: said(chosen) };
}
