/**
 * Suggestions: a method's `say` filled with what the goal gave, what the world
 * implies, and the closest candidates for what is missing or wrong.
 */
import { distance } from "fastest-levenshtein";
import type { Method } from "../offline/methods.js";
import type { MethodReading } from "./read-method.js";
import { complete, type Filled } from "./slots.js";
import type { World } from "./world.js";
import { nameKey, stemOf } from "./words.js";

export function typeWord(type: string): string {
  return type.replace(/-/g, " ");
}

export function describeSlot(method: Method, slot: string): string {
  const s = method.slots![slot]!;
  if (s.describe) return s.describe;
  const shared = Object.values(method.slots!).filter((o) => o.type === s.type).length > 1;
  return shared ? `${slot} ${typeWord(s.type)}` : typeWord(s.type);
}

export function knownOf(world: World, type: string): string[] {
  return (world.get(type)?.entities ?? []).map((e) => e.name);
}

/**
 * The method's `say` filled with what was read, the problem slot set to the
 * candidate closest to what was said, and the rest inferred; `sure` when no
 * choice among several was made for the user.
 */
export function suggest(
  r: MethodReading,
  world: World,
  fix?: { slot: string; said?: string; candidates?: string[] },
): { text: string; sure: boolean } | undefined {
  const method = r.method;
  const filled: Filled = new Map(r.filled);
  let sure = true;
  const pick = (slot: string, said?: string, given?: string[]) => {
    const type = method.slots![slot]!.type;
    const used = [...filled.values()].filter((f) => f.type === type).map((f) => String(f.value));
    const options = (given ?? knownOf(world, type)).filter((n) => !used.includes(n));
    if (options.length === 0) return;
    // The candidate sharing most words with the goal (`legacy reporting` → legacy-reports), then the nearest spelling.
    const shared = (name: string) =>
      nameKey(name)
        .split(" ")
        .filter((p) => r.stems.has(stemOf(p))).length;
    const near = (name: string) => (said ? distance(said.toLowerCase(), name) : 0);
    const scored = options.map((name) => ({ name, shared: shared(name), near: near(name) }));
    const best = scored.reduce((a, b) =>
      b.shared > a.shared || (b.shared === a.shared && b.near < a.near) ? b : a,
    ).name;
    if (options.length > 1 && !(said && distance(said.toLowerCase(), best) <= 2)) sure = false;
    const entity = world.get(type)?.entities?.find((e) => e.name === best);
    filled.set(slot, { type, value: best, entity, known: true, how: "stated" });
  };
  if (fix && !filled.has(fix.slot)) pick(fix.slot, fix.said, fix.candidates);
  let { open } = complete(method, filled, world);
  for (const slot of open) pick(slot);
  ({ open } = complete(method, filled, world));
  const template = method.say;
  if (!template) return method.examples?.[0] ? { text: method.examples[0].goal, sure: false } : undefined;
  const text = template.replace(/\{\{\s*([A-Za-z_]\w*)\s*\}\}/g, (_m, name: string) => {
    const f = filled.get(name);
    if (f) return String(f.value);
    sure = false;
    return `<${method.slots?.[name] ? describeSlot(method, name) : name}>`;
  });
  return { text, sure };
}

/** A method's `say` with the values read: the goal as the method words it. */
export function sayFilled(method: Method, params: Record<string, unknown>): string | undefined {
  return method.say?.replace(/\{\{\s*([A-Za-z_]\w*)\s*\}\}/g, (_m, name: string) =>
    String(params[name] ?? `<${name}>`),
  );
}
