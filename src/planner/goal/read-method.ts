/**
 * One goal method read against one goal: its intent hits, its slots filled
 * from the goal's mentions, names and the world, and the words it leaves
 * unexplained. The caller compares readings across methods.
 */
import type { Method, MethodLibrary } from "../offline/methods.js";
import { cueBefore, cueParts, cuesOf } from "./cues.js";
import { matchIntent, spanParts, type IntentHits } from "./intent.js";
import { CONDITIONS, DANGER, FILLER, NEGATIONS } from "./lexicon.js";
import type { Mention } from "./mentions.js";
import { readName } from "./names.js";
import { assign, complete, type Filled, type SlotProblem } from "./slots.js";
import type { World } from "./world.js";
import { nameKey, occurrences, type Tokens } from "./words.js";
import { distance } from "fastest-levenshtein";

export interface MethodReading {
  method: Method;
  hits: IntentHits;
  filled: Filled;
  problem?: SlotProblem;
  /** Parts this reading explains (mentions, intent, cues, nouns, names). */
  taken: Set<number>;
  /** Stems of the goal's words, to pick the suggestion that shares most with it. */
  stems: Set<string>;
  score: number;
}

export function readMethod(
  tokens: Tokens,
  method: Method,
  library: MethodLibrary,
  world: World,
  mentions: readonly Mention[],
): MethodReading | undefined {
  const { parts, words } = tokens;
  const mentionParts = new Set(mentions.flatMap((m) => range(m.from, m.to)));
  const matched = matchIntent(parts, method, mentionParts);
  if (matched.verbs.length === 0) return undefined;

  const slots = method.slots ?? {};
  const slotTypes = new Set(Object.values(slots).map((s) => s.type));
  const taken = new Set([...mentionParts, ...spanParts(matched.verbs)]);
  const nounSpans: { type: string; from: number; to: number }[] = [];
  const nouns = [...slotTypes]
    .flatMap((type) => (library.entities.get(type)?.nouns ?? []).map((n) => ({ type, seq: nameKey(n).split(" ") })))
    .sort((a, b) => b.seq.length - a.seq.length);
  for (const { type, seq } of nouns)
    for (const span of occurrences(parts, seq, "lower", taken)) {
      nounSpans.push({ type, ...span });
      for (const i of range(span.from, span.to)) taken.add(i);
    }
  // A type's noun beats an intent word (`the billing service` names a service), so words come after nouns.
  const hits = {
    verbs: matched.verbs,
    words: matched.words.filter((w) => !range(w.from, w.to).some((i) => taken.has(i))),
  };
  for (const i of spanParts(hits.words)) taken.add(i);
  const cues = cuesOf(method);
  for (const i of cueParts(parts, cues, taken)) taken.add(i);
  const nounParts = new Set(nounSpans.flatMap((s) => range(s.from, s.to)));

  const relevant = mentions
    .map((m) => ({ ...m, options: m.options.filter((o) => slotTypes.has(o.type)) }))
    .filter((m) => m.options.length > 0);
  const assigned = assign(method, relevant, (m) => cueBefore(parts, m.from, cues, nounParts));
  const { filled } = assigned;
  const score = () =>
    hits.verbs.length * 2 + hits.words.length + [...filled.values()].filter((f) => f.how === "stated").length;
  // Words of the goal outside the names it gave: `eu` of eu-west-1 must not make orders-eu look close.
  const stems = new Set(parts.filter((_, i) => !mentionParts.has(i)).map((p) => p.stem));
  const done = (problem?: SlotProblem): MethodReading => ({
    method,
    hits,
    filled,
    problem,
    taken,
    stems,
    score: score(),
  });
  if (assigned.problem) return done(assigned.problem);

  const free = (w: number) => {
    const word = words[w]!;
    if (FILLER.has(word.lower) || NEGATIONS.has(word.lower)) return false;
    for (let i = word.from; i < word.to; i++) if (taken.has(i) || DANGER.has(parts[i]!.stem)) return false;
    return true;
  };

  for (const [name, slot] of Object.entries(slots)) {
    if (slot.type !== "name" || filled.has(name)) continue;
    const reading = readName(tokens, name, slot, cues, free);
    if (reading.ok) {
      filled.set(name, { type: "name", value: reading.value, known: true, how: "stated" });
      for (const w of reading.words) for (const i of range(words[w]!.from, words[w]!.to)) taken.add(i);
    } else if (reading.kind === "several") return done({ kind: "too-many", slot: name, said: reading.said });
    else if (reading.kind === "bad") return done({ kind: "bad-name", slot: name, said: reading.said });
  }

  // A word beside a type's noun that names nothing (`the payments database`) is an unknown name of that type.
  for (const noun of nounSpans) {
    const at = parts[noun.from]!.word;
    const end = parts[noun.to - 1]!.word;
    for (const w of [at - 1, end + 1])
      if (w >= 0 && w < words.length && free(w) && !/^\d+$/.test(words[w]!.lower))
        assigned.unknownByType.set(noun.type, [...(assigned.unknownByType.get(noun.type) ?? []), words[w]!.text]);
  }

  // So is a compound that ends in one (`payments-db`, `api-lb`).
  for (let w = 0; w < words.length; w++) {
    const word = words[w]!;
    if (word.to - word.from < 2 || !free(w)) continue;
    const noun = nouns.find(
      (n) =>
        n.seq.length < word.to - word.from && n.seq.every((p, k) => parts[word.to - n.seq.length + k]!.lower === p),
    );
    if (noun) assigned.unknownByType.set(noun.type, [...(assigned.unknownByType.get(noun.type) ?? []), word.text]);
  }

  for (const [name, slot] of Object.entries(slots)) {
    if (filled.has(name)) continue;
    const said = assigned.unknownBySlot.get(name) ?? assigned.unknownByType.get(slot.type)?.shift();
    if (said) return done({ kind: "unknown", slot: name, said });
  }

  // An identifier nothing explains (`orders-apac`) is a name the world lacks, not one to infer around.
  const open0 = Object.entries(slots).find(
    ([n, s]) => !filled.has(n) && world.get(s.type)?.entities && !library.entities.get(s.type)?.shape,
  );
  if (open0) {
    const stray = words.findIndex((word, w) => /[-_.]/.test(word.text) && /\p{L}/u.test(word.text) && free(w));
    if (stray >= 0) return done({ kind: "unknown", slot: open0[0], said: words[stray]!.text });
  }

  const { open, choices } = complete(method, filled, world);
  if (open.length === 0) return done();
  const slot = open[0]!;
  const type = slots[slot]!.type;
  const taken2 = [...filled.values()].filter((f) => f.type === type).map((f) => f.value);
  const candidates =
    choices.get(slot) ?? (world.get(type)?.entities ?? []).map((e) => e.name).filter((n) => !taken2.includes(n));
  // A word one or two letters away from a candidate is a misspelt name, not a missing one.
  for (let w = 0; w < words.length; w++) {
    if (!free(w)) continue;
    const typo = candidates.find((c) => isTypo(words[w]!.lower, c));
    if (typo) return done({ kind: "unknown", slot, said: words[w]!.text });
  }
  return done({ kind: "missing", slot, candidates });
}

export function isTypo(said: string, name: string): boolean {
  if (said === name || said.length < 4) return false;
  return distance(said, name) <= (name.length >= 8 ? 2 : 1);
}

export function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

export interface StrayWord {
  text: string;
  kind: "negation" | "condition" | "destructive";
}

/** Words no reading explains that must not be ignored: a negation, a condition, or a destructive or steering verb. */
export function strayWords(tokens: Tokens, taken: ReadonlySet<number>): StrayWord[] {
  const out: StrayWord[] = [];
  for (const w of tokens.words) {
    if (NEGATIONS.has(w.lower)) out.push({ text: w.text, kind: "negation" });
    else
      for (let i = w.from; i < w.to; i++) {
        if (taken.has(i)) continue;
        const stem = tokens.parts[i]!.stem;
        if (DANGER.has(stem)) out.push({ text: w.text, kind: "destructive" });
        else if (CONDITIONS.has(stem)) out.push({ text: w.text, kind: "condition" });
        else continue;
        break;
      }
  }
  return out;
}
