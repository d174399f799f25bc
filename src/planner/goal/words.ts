/**
 * A goal as words and parts. A word is what people type between spaces
 * (`orders-db.internal`, `us-east-1`, `2.4.1`); its parts are the runs of
 * letters and digits inside it. Names are compared part by part, so
 * `Orders DB Password` and `orders-db-password` are the same name, while a
 * match must start and end on whole words: `orders` is not found inside
 * `orders-eu`.
 */
import { stemmer } from "stemmer";

export interface Part {
  lower: string;
  stem: string;
  /** Index of its word. */
  word: number;
  /** The part begins / ends its word. */
  first: boolean;
  last: boolean;
}

export interface Word {
  text: string;
  lower: string;
  /** Parts [from, to) of this word. */
  from: number;
  to: number;
  /** Punctuation (not a connector) follows it, or it ends the goal. */
  breakAfter: boolean;
  capital: boolean;
}

export interface Tokens {
  words: Word[];
  parts: Part[];
}

// `@` separates (`checkout@1.9.0` is a service and a version); the others join parts of one name.
const WORD = /[\p{L}\p{N}]+(?:[-_./:+][\p{L}\p{N}]+)*/gu;
const CONNECTOR = /[-_./:+]/;
const BREAK = /[,;:.!?()[\]{}"“”]/;

// Accents and apostrophes are not what tells one name from another: `José` is `jose`, `orders's` is `orders`, `don't` is `dont`.
function plainText(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .replace(/(\p{L})['’]s\b/gu, "$1")
    .replace(/['’]/g, "");
}

export function tokenise(text: string): Tokens {
  const plain = plainText(text);
  const words: Word[] = [];
  const parts: Part[] = [];
  const matches = [...plain.matchAll(WORD)];
  matches.forEach((m, w) => {
    const end = m.index + m[0].length;
    const gap = plain.slice(end, matches[w + 1]?.index ?? plain.length);
    const pieces = m[0].split(CONNECTOR);
    const from = parts.length;
    pieces.forEach((piece, i) => {
      const lower = piece.toLowerCase();
      parts.push({ lower, stem: stemOf(lower), word: w, first: i === 0, last: i === pieces.length - 1 });
    });
    words.push({
      text: m[0],
      lower: m[0].toLowerCase(),
      from,
      to: parts.length,
      breakAfter: w === matches.length - 1 || BREAK.test(gap),
      capital: /^\p{Lu}/u.test(m[0]),
    });
  });
  return { words, parts };
}

const stems = new Map<string, string>();
export function stemOf(lower: string): string {
  let s = stems.get(lower);
  if (s === undefined) {
    s = /^\p{L}+$/u.test(lower) ? stemmer(lower) : lower;
    if (stems.size < 50_000) stems.set(lower, s);
  }
  return s;
}

/** The parts of a name, lower-cased and joined by spaces: the key names are compared by. */
export function nameKey(text: string): string {
  // Most names are plain ASCII identifiers: skip Unicode normalisation for them (indexing 1,000 names is on every plan's path).
  if (/^[A-Za-z0-9 ._:+/-]*$/.test(text))
    return text
      .toLowerCase()
      .split(/[^a-z0-9]+/)
      .filter(Boolean)
      .join(" ");
  return (plainText(text).toLowerCase().match(WORD) ?? []).flatMap((w) => w.split(CONNECTOR)).join(" ");
}

/** A phrase as stems, for intents: `rolling out` and `roll out` are one. */
export function stemsOf(text: string): string[] {
  return tokenise(text).parts.map((p) => p.stem);
}

/**
 * Where `seq` (compared by `key`) occurs in `parts` on whole-word boundaries,
 * skipping occurrences that touch a taken part.
 */
export function occurrences(
  parts: readonly Part[],
  seq: readonly string[],
  key: "lower" | "stem",
  taken: ReadonlySet<number> = new Set(),
): { from: number; to: number }[] {
  const out: { from: number; to: number }[] = [];
  if (seq.length === 0) return out;
  for (let i = 0; i + seq.length <= parts.length; i++) {
    if (!parts[i]!.first) continue;
    let ok = parts[i + seq.length - 1]!.last;
    for (let k = 0; ok && k < seq.length; k++) ok = parts[i + k]![key] === seq[k] && !taken.has(i + k);
    if (ok) out.push({ from: i, to: i + seq.length });
  }
  return out;
}
