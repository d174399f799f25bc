/**
 * Goal understanding: which method a goal asks for, and with which values.
 * The goal is read as an intent (a method's verbs) and typed slots whose
 * values must name entities the world has, or have a literal shape (a
 * version, a count). What the goal leaves out is inferred from the world when
 * only one answer fits; everything else is refused with the closest reading.
 */
import type { Method, MethodLibrary } from "../offline/methods.js";
import { matchIntent } from "./intent.js";
import { findMentions } from "./mentions.js";
import { range, readMethod, strayWords, type MethodReading } from "./read-method.js";
import { refuse, type Refusal } from "./refusal.js";
import type { World } from "./world.js";
import { tokenise, type Tokens } from "./words.js";

export interface SlotValue {
  value: string | number;
  /** Where the value came from: the goal's words, the world (`infer`), or the slot's default. */
  how: "stated" | "inferred" | "default";
}

export type Understanding =
  | { ok: true; method: Method; params: Record<string, unknown>; slots: Record<string, SlotValue> }
  | ({ ok: false } & Refusal);

export interface Candidates {
  tokens: Tokens;
  methods: Method[];
  /** Entity types their slots name: the world to read. */
  types: Set<string>;
}

/** Goal methods whose verbs the goal uses; no world needed yet. */
export function candidates(goal: string, library: MethodLibrary): Candidates {
  const tokens = tokenise(goal);
  const methods = library.methods.filter((m) => m.intent && matchIntent(tokens.parts, m, new Set()).verbs.length > 0);
  const types = new Set(methods.flatMap((m) => Object.values(m.slots ?? {}).map((s) => s.type)));
  return { tokens, methods, types };
}

export function understand(goal: string, library: MethodLibrary, world: World, pre?: Candidates): Understanding {
  const found = pre ?? candidates(goal, library);
  const { tokens } = found;
  if (found.methods.length === 0) return { ok: false, ...refuse.noMethod(goal, tokens, library) };

  const mentions = findMentions(tokens, world, library, found.types);
  const readings = found.methods
    .map((m) => readMethod(tokens, m, library, world, mentions))
    .filter((r): r is MethodReading => r !== undefined);
  if (readings.length === 0) return { ok: false, ...refuse.noMethod(goal, tokens, library) };

  // The closest reading leads, complete or not: a goal that reads better as a method it cannot fill is refused with that method's problem, not planned as a weaker one.
  readings.sort((a, b) => b.score - a.score || Number(!!a.problem) - Number(!!b.problem));
  const best = readings[0]!;
  const complete = readings.filter((r) => !r.problem);
  const stray = strayWords(tokens, best.taken);
  if (stray.length > 0) return { ok: false, ...refuse.stray(best, stray, world) };

  // Another method's verb that this reading does not explain is a second task.
  for (const other of readings) {
    if (other === best) continue;
    const own = other.hits.verbs.filter((v) => !range(v.from, v.to).some((i) => best.taken.has(i)));
    if (own.length > 0) return { ok: false, ...refuse.twoTasks(best, other, world) };
  }
  if (best.problem) return { ok: false, ...refuse.slot(best, world) };
  const rival = complete.find((r) => r !== best);
  if (rival && rival.score === best.score) return { ok: false, ...refuse.tie(best, rival, world) };

  const params: Record<string, unknown> = { goal };
  const slots: Record<string, SlotValue> = {};
  for (const name of Object.keys(best.method.slots ?? {})) {
    const f = best.filled.get(name);
    if (!f) continue;
    params[name] = f.value;
    slots[name] = { value: f.value, how: f.how };
  }
  return { ok: true, method: best.method, params, slots };
}
