/**
 * "Known steps: …" in a message: the few names closest to what was written,
 * and how many more there are. A hostile plan can have thousands of unknown
 * names against thousands of known ones, so the search is bounded: full
 * ranking only for the first RANKED lookups against one list, the list's
 * first names after that, and names compared on their first 64 characters.
 */
import { distance as editDistance } from "fastest-levenshtein";

const SHOWN = 5;
const RANKED = 50;
const COMPARED_CHARS = 64;

const lookups = new WeakMap<readonly string[], number>();

/** `known steps: \`a\`, \`b\` and 12 more` (or `none`). */
export function knownNames(noun: string, name: string, known: readonly string[]): string {
  if (known.length === 0) return `no ${noun} are known`;
  const count = (lookups.get(known) ?? 0) + 1;
  lookups.set(known, count);
  const shown = count <= RANKED ? closest(name, known, SHOWN) : known.slice(0, SHOWN);
  const rest = known.length - shown.length;
  return `known ${noun}: ${shown.map((n) => `\`${n}\``).join(", ")}${rest > 0 ? ` and ${rest.toLocaleString("en-US")} more` : ""}`;
}

/** The `k` names nearest to `name` by edit distance, nearest first (ties in list order). */
export function closest(name: string, known: readonly string[], k: number): string[] {
  const target = name.slice(0, COMPARED_CHARS);
  const best: { name: string; distance: number }[] = [];
  for (const candidate of known) {
    const distance = editDistance(target, candidate.slice(0, COMPARED_CHARS));
    if (best.length === k && distance >= best[k - 1]!.distance) continue;
    let at = best.findIndex((b) => distance < b.distance);
    if (at < 0) at = best.length;
    best.splice(at, 0, { name: candidate, distance });
    if (best.length > k) best.pop();
  }
  return best.map((b) => b.name);
}
