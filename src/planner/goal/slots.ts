/**
 * Fills a method's slots from a goal's mentions: cued values first (`from`,
 * `to`), then the others in order, then what the world implies (`infer`),
 * then defaults. Says precisely what is missing, unknown or ambiguous when a
 * slot cannot be filled.
 */
import type { Method, Slot } from "../offline/methods.js";
import type { Cue } from "./cues.js";
import type { Mention, Option } from "./mentions.js";
import type { World } from "./world.js";

export type SlotProblem =
  /** The goal names a `type` that does not exist. */
  | { kind: "unknown"; slot: string; said: string }
  /** Nothing in the goal or the world gives this slot; `candidates` could. */
  | { kind: "missing"; slot: string; candidates: string[] }
  /** Two values for one slot, or more values of a type than the method takes. */
  | { kind: "too-many"; slot: string; said: string[] }
  /** A `name` slot whose words make no handle. */
  | { kind: "bad-name"; slot: string; said: string };

export type Filled = Map<string, Option & { how: "stated" | "inferred" | "default" }>;

export interface Assignment {
  filled: Filled;
  /** Unknown names of a slot's type, by slot (cued) or by type (uncued). */
  unknownBySlot: Map<string, string>;
  unknownByType: Map<string, string[]>;
  problem?: SlotProblem;
}

export function assign(
  method: Method,
  mentions: readonly Mention[],
  cueOf: (m: Mention) => Cue | undefined,
): Assignment {
  const slots = Object.entries(method.slots ?? {});
  const filled: Filled = new Map();
  const unknownBySlot = new Map<string, string>();
  const unknownByType = new Map<string, string[]>();
  const typeOf = (slot: string) => method.slots![slot]!.type;
  const out: Assignment = { filled, unknownBySlot, unknownByType };

  const uncued: { mention: Mention; option: Option }[] = [];
  for (const mention of mentions) {
    const cue = cueOf(mention);
    const cuedOption = cue && mention.options.find((o) => o.type === typeOf(cue.slot));
    if (cue && cuedOption) {
      if (!cuedOption.known) {
        unknownBySlot.set(cue.slot, mention.text);
        continue;
      }
      const had = filled.get(cue.slot);
      if (had && had.value !== cuedOption.value) {
        out.problem = { kind: "too-many", slot: cue.slot, said: [String(had.value), String(cuedOption.value)] };
        return out;
      }
      filled.set(cue.slot, { ...cuedOption, how: "stated" });
      continue;
    }
    const known = mention.options.filter((o) => o.known && slots.some(([, s]) => s.type === o.type));
    const option = known.find((o) => slots.some(([n, s]) => s.type === o.type && !filled.has(n))) ?? known[0];
    if (option) uncued.push({ mention, option });
    else
      for (const o of mention.options)
        if (!o.known) unknownByType.set(o.type, [...(unknownByType.get(o.type) ?? []), mention.text]);
  }

  const types = [...new Set(uncued.map((u) => u.option.type))];
  for (const type of types) {
    const said = uncued.filter((u) => u.option.type === type);
    const values = [...new Set(said.map((u) => u.option.value))];
    const free = slots.filter(([n, s]) => s.type === type && !filled.has(n)).map(([n]) => n);
    const taken = slots.filter(([n, s]) => s.type === type && filled.has(n)).map(([n]) => filled.get(n)!.value);
    const fresh = values.filter((v) => !taken.includes(v));
    if (fresh.length > free.length) {
      const slot = free[0] ?? slots.find(([, s]) => s.type === type)![0];
      out.problem = { kind: "too-many", slot, said: values.map(String) };
      return out;
    }
    // With fewer values than slots, the slots the world cannot fill come first.
    const order =
      fresh.length === free.length ? free : [...free].sort((a, b) => fallbackRank(method, a) - fallbackRank(method, b));
    fresh.forEach((value, i) => {
      const option = said.find((u) => u.option.value === value)!.option;
      filled.set(order[i]!, { ...option, how: "stated" });
    });
  }
  return out;
}

function fallbackRank(method: Method, slot: string): number {
  const s: Slot = method.slots![slot]!;
  return s.infer || s.default !== undefined || s.optional ? 1 : 0;
}

/**
 * Fills what the goal left open from the world (`infer`), then defaults.
 * Returns the slots still open, with what could fill each.
 */
export function complete(
  method: Method,
  filled: Filled,
  world: World,
): { open: string[]; choices: Map<string, string[]> } {
  const choices = new Map<string, string[]>();
  const worldVars = Object.fromEntries(
    [...world].flatMap(([type, w]) =>
      w.entities ? [[type, w.entities.map((e) => ({ ...e.item, name: e.name }))]] : [],
    ),
  );
  // Twice, so a slot inferred from another inferred slot is found whatever their order.
  for (let round = 0; round < 2; round++) {
    for (const [name, slot] of Object.entries(method.slots ?? {})) {
      if (filled.has(name) || !slot.infer) continue;
      // Open slots are null, so an expression can ask (`service != null`).
      const vars: Record<string, unknown> = { world: worldVars };
      for (const n of Object.keys(method.slots ?? {})) vars[n] = null;
      for (const [n, o] of filled) vars[n] = o.entity ? { ...o.entity.item, name: o.entity.name } : o.value;
      let value: unknown;
      try {
        value = method.programs.get(slot.infer)!(vars);
      } catch {
        continue;
      }
      const names = [...new Set((Array.isArray(value) ? value : [value]).map(nameOf).filter((n) => n !== ""))];
      const listed = world.get(slot.type)?.entities;
      const known = listed ? names.filter((n) => listed.some((e) => e.name === n)) : names;
      if (known.length === 1) {
        const entity = listed?.find((e) => e.name === known[0]);
        filled.set(name, { type: slot.type, value: known[0]!, entity, known: true, how: "inferred" });
      } else if (known.length > 1) choices.set(name, known);
    }
  }
  const open: string[] = [];
  for (const [name, slot] of Object.entries(method.slots ?? {})) {
    if (filled.has(name)) continue;
    if (slot.default !== undefined)
      filled.set(name, { type: slot.type, value: slot.default as string, known: true, how: "default" });
    else if (!slot.optional) open.push(name);
  }
  return { open, choices };
}

function nameOf(value: unknown): string {
  if (typeof value === "string") return value;
  if (value && typeof value === "object" && typeof (value as { name?: unknown }).name === "string")
    return (value as { name: string }).name;
  return "";
}
