/**
 * Typed mentions: the spans of a goal that name an entity the world has, or
 * have the literal shape of a slot type (a version, a count, a region-shaped
 * word). Longer names win over the shorter names inside them, so
 * `orders-db.internal` is a DNS record, not the database `orders`.
 */
import type { MethodLibrary } from "../offline/methods.js";
import { NUMBER_WORDS } from "./lexicon.js";
import type { Entity, World } from "./world.js";
import { nameKey, type Tokens } from "./words.js";

export interface Option {
  type: string;
  /** The entity's name, a literal's value, or what the goal said for an unknown entity. */
  value: string | number;
  entity?: Entity;
  /** False for a word of an entity type's shape that names nothing the world has. */
  known: boolean;
}

export interface Mention {
  /** Parts [from, to). */
  from: number;
  to: number;
  text: string;
  options: Option[];
}

const VERSION = /^v?(\d+(?:\.\d+){1,3}(?:[-+][0-9a-z][0-9a-z.-]*)?)$/i;
const COUNT = /^\d{1,4}$/;

interface Index {
  byKey: Map<string, Entity[]>;
  longest: number;
}
const indexes = new WeakMap<object, Index>();

function indexOf(listed: { entities: Entity[] }): Index {
  let index = indexes.get(listed);
  if (index) return index;
  index = { byKey: new Map(), longest: 0 };
  for (const entity of listed.entities) {
    for (const name of [entity.name, ...entity.aliases]) {
      const key = nameKey(name);
      if (!key) continue;
      const same = index.byKey.get(key);
      if (same) {
        if (!same.includes(entity)) same.push(entity);
      } else index.byKey.set(key, [entity]);
      index.longest = Math.max(index.longest, key.split(" ").length);
    }
  }
  indexes.set(listed, index);
  return index;
}

export function findMentions(tokens: Tokens, world: World, library: MethodLibrary, types: Set<string>): Mention[] {
  const { parts, words } = tokens;
  const found: Mention[] = [];
  const text = (from: number, to: number) =>
    words
      .slice(parts[from]!.word, parts[to - 1]!.word + 1)
      .map((w) => w.text)
      .join(" ");

  for (const type of types) {
    const listed = world.get(type);
    if (!listed?.entities) continue;
    const index = indexOf(listed);
    for (let i = 0; i < parts.length; i++) {
      if (!parts[i]!.first) continue;
      let key = "";
      for (let j = i; j < parts.length && j - i < index.longest; j++) {
        key = j === i ? parts[j]!.lower : `${key} ${parts[j]!.lower}`;
        if (!parts[j]!.last) continue;
        const hits = index.byKey.get(key);
        if (hits)
          found.push({
            from: i,
            to: j + 1,
            text: text(i, j + 1),
            options: hits.map((entity) => ({ type, value: entity.name, entity, known: true })),
          });
      }
    }
  }

  // `orders-db` is the database orders: a compound of a name and its type's noun.
  for (const type of types) {
    const listed = world.get(type);
    const nouns = (library.entities.get(type)?.nouns ?? []).map((n) => nameKey(n).split(" "));
    if (!listed?.entities || nouns.length === 0) continue;
    const index = indexOf(listed);
    for (const word of words) {
      const own = parts.slice(word.from, word.to).map((p) => p.lower);
      for (const noun of nouns) {
        if (noun.length >= own.length || !noun.every((n, k) => own[own.length - noun.length + k] === n)) continue;
        const hits = index.byKey.get(own.slice(0, own.length - noun.length).join(" "));
        if (hits)
          found.push({
            from: word.from,
            to: word.to,
            text: word.text,
            options: hits.map((entity) => ({ type, value: entity.name, entity, known: true })),
          });
      }
    }
  }

  for (const word of words) {
    const options: Option[] = [];
    for (const type of types) {
      if (type === "version") {
        const m = VERSION.exec(word.text);
        if (m) options.push({ type, value: m[1]!, known: true });
      } else if (type === "count") {
        if (COUNT.test(word.lower)) options.push({ type, value: Number(word.lower), known: true });
        else if (word.lower in NUMBER_WORDS) options.push({ type, value: NUMBER_WORDS[word.lower]!, known: true });
      } else {
        const shape = library.entities.get(type)?.shapeRegex;
        if (!shape?.test(word.text)) continue;
        const listed = world.get(type);
        // A listed type names only what the world has; an unlisted one (its list failed) is taken on trust.
        const known = !listed?.entities;
        if (!known && found.some((f) => f.from === word.from && f.to === word.to)) continue;
        options.push({ type, value: word.lower, known });
      }
    }
    if (options.length > 0) found.push({ from: word.from, to: word.to, text: word.text, options });
  }

  // Longest first; a span several types name keeps every reading, and slots pick.
  found.sort((a, b) => b.to - b.from - (a.to - a.from) || a.from - b.from);
  const chosen: Mention[] = [];
  for (const m of found) {
    const same = chosen.find((c) => c.from === m.from && c.to === m.to);
    if (same) same.options.push(...m.options);
    else if (!chosen.some((c) => c.from < m.to && m.from < c.to)) chosen.push(m);
  }
  return chosen.sort((a, b) => a.from - b.from);
}
