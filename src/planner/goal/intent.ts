/**
 * A method's intent in a goal: which of its verbs (the task) and words (what
 * belongs to it) occur, compared by stem so `relocating` is `relocate`.
 * Longer phrases are matched first: `roll out` before `roll`.
 */
import type { Method } from "../offline/methods.js";
import { occurrences, stemsOf, type Part } from "./words.js";

export interface Span {
  from: number;
  to: number;
}

export interface IntentHits {
  verbs: Span[];
  words: Span[];
}

interface CompiledIntent {
  verbs: string[][];
  words: string[][];
}
const compiled = new WeakMap<Method, CompiledIntent>();

function compile(method: Method): CompiledIntent {
  let c = compiled.get(method);
  if (!c) {
    const seqs = (phrases: string[] = []) =>
      phrases
        .map(stemsOf)
        .filter((s) => s.length > 0)
        .sort((a, b) => b.length - a.length);
    c = { verbs: seqs(method.intent?.verbs), words: seqs(method.intent?.words) };
    compiled.set(method, c);
  }
  return c;
}

export function matchIntent(parts: readonly Part[], method: Method, taken: ReadonlySet<number>): IntentHits {
  const { verbs, words } = compile(method);
  const used = new Set(taken);
  const find = (seqs: string[][]) => {
    const spans: Span[] = [];
    for (const seq of seqs)
      for (const span of occurrences(parts, seq, "stem", used)) {
        spans.push(span);
        for (let i = span.from; i < span.to; i++) used.add(i);
      }
    return spans.sort((a, b) => a.from - b.from);
  };
  const hitVerbs = find(verbs);
  return { verbs: hitVerbs, words: find(words) };
}

export function spanParts(spans: readonly Span[]): number[] {
  return spans.flatMap((s) => Array.from({ length: s.to - s.from }, (_, i) => s.from + i));
}
