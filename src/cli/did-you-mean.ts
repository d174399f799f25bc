/** "Did you mean …?" for a mistyped flag, command, setting or file name. */

/** The candidate closest to `input`, if it is close enough to be a plausible typo. */
export function closest(input: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  const typed = input.toLowerCase();
  for (const candidate of candidates) {
    const c = candidate.toLowerCase();
    // A prefix ("--app" for "--approve") is as good as a typo.
    const d = c.startsWith(typed) && typed.length >= 3 ? 1 : distance(typed, c);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  // Allow about one edit per three characters: `frezze` → `freeze`, but never `x` → `yes`.
  return best !== undefined && bestDistance <= Math.max(1, Math.floor(input.length / 3)) ? best : undefined;
}

/** "; did you mean `x`?" or "", for the end of a message. */
export function didYouMean(input: string, candidates: Iterable<string>): string {
  const match = closest(input, candidates);
  return match === undefined ? "" : `; did you mean \`${match}\`?`;
}

/** Damerau–Levenshtein (optimal string alignment): a swap of two neighbours counts as one edit. */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}
