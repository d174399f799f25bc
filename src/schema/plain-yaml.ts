/**
 * The fast way from YAML text to data, for the files that need none of YAML's rarer features: js-yaml 4
 * builds plain objects while it reads, where `yaml` first builds a syntax tree and a document of the whole
 * file (for a 1.5 MB plan some 110 MB at once; decision 0188). It only answers when it is sure to agree
 * with `yaml`, the parser of record: anything else (an error, an anchor, a tag, a directive, a key `yaml`
 * would build differently, deep nesting) returns `undefined`, and the caller parses with `yaml`, so every
 * problem keeps `yaml`'s message and position.
 */
import { createRequire } from "node:module";
import type { Type as JsYamlType, Schema as JsYamlSchema, State as JsYamlState } from "js-yaml";

// js-yaml (CommonJS) is loaded on the first parse only, like `yaml` in source.ts.
const require = createRequire(import.meta.url);
let loaded: { load: typeof import("js-yaml").load; schema: JsYamlSchema } | undefined;

/** The version of the fast path's rules: parse-cache.ts keys its entries by it. */
export const PLAIN_YAML_VERSION = `plain-yaml/1 js-yaml ${(require("js-yaml/package.json") as { version: string }).version}`;

/** The prefix of the fast path's own tags: any other tag js-yaml holds was written in the text. */
const OWN_TAG = "tag:planfile.fast,2026:";

/**
 * One string per distinct plain scalar while a file is read: a plan repeats its tool names, outcomes and
 * step ids (`dependsOn`), and the data it becomes is kept for the whole run. With the exact-size arrays
 * below, a 10k-step plan's data takes 3.1 MB of heap instead of 4.2 (JSON.parse: 2.75).
 */
const interned = new Map<string, string>();

/** Thrown from inside js-yaml's hooks to stop at the first thing this path leaves to `yaml`. */
class Defer extends Error {}

/**
 * YAML 1.2's core schema exactly as `yaml` 2 resolves plain scalars (its schema/core: the same tests in
 * the same order, the same constructors), not js-yaml's own core schema, which also reads `0b1`, `1_000`
 * and `+.5e3` its own way. A plain scalar no test matches stays a string, in both.
 */
const CORE_SCALARS: readonly { tag: string; test: RegExp; construct: (s: string) => unknown }[] = [
  { tag: "null", test: /^(?:~|[Nn]ull|NULL)?$/, construct: () => null },
  { tag: "bool", test: /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/, construct: (s) => s[0] === "t" || s[0] === "T" },
  { tag: "int", test: /^0o[0-7]+$/, construct: (s) => parseInt(s.substring(2), 8) },
  { tag: "int", test: /^[-+]?[0-9]+$/, construct: (s) => parseInt(s, 10) },
  { tag: "int", test: /^0x[0-9a-fA-F]+$/, construct: (s) => parseInt(s.substring(2), 16) },
  {
    tag: "float",
    test: /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/,
    construct: (s) =>
      s.slice(-3).toLowerCase() === "nan" ? NaN : s[0] === "-" ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY,
  },
  { tag: "float", test: /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/, construct: (s) => parseFloat(s) },
  { tag: "float", test: /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/, construct: (s) => parseFloat(s) },
];

function jsYaml(): NonNullable<typeof loaded> {
  if (loaded) return loaded;
  const { load, Schema, Type } = require("js-yaml") as typeof import("js-yaml");
  const implicit: JsYamlType[] = CORE_SCALARS.map(
    ({ tag, test, construct }, i) =>
      new Type(`${OWN_TAG}${tag}/${i}`, {
        kind: "scalar",
        // js-yaml passes the tag as a second argument only for an explicit tag (`!!int 1`): `yaml`'s business.
        resolve: (data: string, explicit?: string) => {
          if (explicit !== undefined) throw new Defer();
          return test.test(data);
        },
        construct,
      }),
  );
  // Last, as in `yaml`: a plain scalar no test matched is a string.
  implicit.push(
    new Type(`${OWN_TAG}str`, {
      kind: "scalar",
      resolve: (_data: string, explicit?: string) => {
        if (explicit !== undefined) throw new Defer();
        return true;
      },
      construct: (s: string) => {
        let kept = interned.get(s);
        if (kept === undefined) interned.set(s, (kept = s));
        return kept;
      },
    }),
  );
  // No explicit types at all: any tag but `!` is an "unknown tag" error, so `yaml` reports or reads it.
  loaded = { load, schema: new Schema({ implicit, explicit: [] }) };
  return loaded;
}

/**
 * Text where `yaml` (strict) and js-yaml part ways whatever the schema. Each test may also match text that
 * is fine (inside a quoted string, say): that only costs the fast path, never a wrong answer.
 */
const LEFT_TO_YAML = [
  /^%/m, // a directive (`%YAML 1.1` switches `yaml` to another schema)
  /^[ \t]*(?:-[ \t]+)*\?(?:\s|$)/m, // an explicit key in a block map, which may be a collection
  /[[{,][ \t]*\?(?:\s|$)/, // an explicit key in a flow collection
  /,#/, // a comment glued to a flow comma: an error to `yaml`, a comment to js-yaml (after a node: see below)
  /^ *\t/m, // a tab in indentation, which `yaml` refuses
  // An empty block sequence item (`-` alone), or a sequence in a sequence on one line (`- - a`): js-yaml then
  // takes a `-` less indented than the sequence as one of its items.
  /^[ \t]*-[ \t]*(?:#[^\n]*)?$/m,
  /^[ \t]*-[ \t]+-(?:\s|$)/m,
  /(?:^|[ \t])[|>](?:[-+]?[1-9]|[1-9][-+])[ \t]*(?:#[^\n]*)?$/m, // a block scalar with an indentation indicator
  /\\\r?\n[ \t]*\r?\n/, // an escaped line break before an empty line, which the two fold differently
];

/** `---` or `...` at the start of a line; js-yaml takes `---.` for a marker too. */
const DOCUMENT_MARKER = /^(?:---|\.\.\.)/gm;
/** Blank lines and comments, then a `---` line: the one marker both parsers read alike. */
const LEADING_START = /^(\uFEFF?(?:[ \t]*(?:#[^\n]*)?\r?\n)*)---(?:[ \t]+(?:#[^\n]*)?)?(?:\r?\n|$)/;

/** `yaml` refuses an implicit key longer than 1024 characters; one that long needs a line that long. */
const MAX_LINE = 1024;

function leftToYaml(text: string): boolean {
  if (LEFT_TO_YAML.some((pattern) => pattern.test(text))) return true;
  const leading = LEADING_START.exec(text)?.[1]?.length;
  for (const marker of text.matchAll(DOCUMENT_MARKER)) {
    // Markers mean more documents, or content on the marker's line (`--- - a`), which `yaml` rejects.
    if (marker.index !== leading) return true;
  }
  for (let start = 0; start < text.length; ) {
    const end = text.indexOf("\n", start);
    if ((end < 0 ? text.length : end) - start > MAX_LINE) return true;
    if (end < 0) break;
    start = end + 1;
  }
  return false;
}

/** After a collection: `:` on the same line makes it a key. */
const KEY_AFTER = /[ \t]*:/y;

/**
 * A js-yaml `listener` that throws Defer at the first node `yaml` must read: one with an anchor (and so any
 * alias: one without its anchor is an error) or a tag written in the text, and a collection used as a key, which `yaml`
 * writes out as YAML and js-yaml joins with commas. A collection is a key when `:` follows it, or when it
 * sits in a flow map where no `:` comes before it (`{[a, b]}`).
 */
function deferringListener(): (event: string, state: JsYamlState) => void {
  // One frame per open node: where it starts, and whether a child collection sat in a key's place. Two stacks
  // of plain values, not an object per node: a 10k-step plan has some 150,000 nodes (decision 0188).
  const starts: number[] = [];
  const keyedChild: boolean[] = [];
  return (event, state) => {
    const s = state as JsYamlState & { anchor?: string | null; tag?: string | null };
    // Checked at "open" too: js-yaml can drop the properties of a node whose block scalar starts on the
    // next line (`k: !x` then `  >`), and an inner node opening is then the only one to see them.
    // (Before the first node both are still undefined.)
    if (typeof s.anchor === "string" || (typeof s.tag === "string" && s.tag !== "?" && !s.tag.startsWith(OWN_TAG)))
      throw new Defer();
    if (event === "open") {
      starts.push(s.position);
      keyedChild.push(false);
      return;
    }
    const start = starts.pop()!;
    const keyed = keyedChild.pop()!;
    // A comment glued to the node just read (`'a'#c`, `[a]#c`): an error to `yaml`, a comment to js-yaml.
    if (s.input[s.position] === "#" && !/\s/.test(s.input[s.position - 1] ?? " ")) throw new Defer();
    if (s.kind !== "sequence" && s.kind !== "mapping") return;
    // js-yaml's arrays grow by push and keep their spare room (an item or two in room for 17): an exact copy
    // takes its place in the parent, which reads `state.result` after this event.
    if (s.kind === "sequence" && Array.isArray(s.result)) s.result = s.result.slice();
    if (s.kind === "mapping" && keyed) throw new Defer();
    KEY_AFTER.lastIndex = s.position;
    if (KEY_AFTER.test(s.input)) throw new Defer();
    // Values follow `:`, block items `-`; anything else is a flow item, or a key if the parent is a map.
    let at = start - 1;
    while (at >= 0 && /\s/.test(s.input[at]!)) at--;
    // (Nothing before it: the document's node, which js-yaml opens twice.)
    if (starts.length > 0 && at >= 0 && s.input[at] !== ":" && s.input[at] !== "-")
      keyedChild[keyedChild.length - 1] = true;
  };
}

/** Keys `yaml` builds otherwise: null (`''` there, `'null'` here), `__proto__`, and the merge key. */
const KEYS_LEFT_TO_YAML = new Set(["", "null", "__proto__", "<<"]);

/**
 * The data of `text` (without NUL bytes, lone CRs already turned to LF), or `undefined` when `yaml` must
 * say it: it is then `yaml`'s to accept or reject. Never throws for any input.
 */
export function plainYamlData(text: string, maxDepth: number): { data: unknown } | undefined {
  if (leftToYaml(text)) return undefined;
  const { load, schema } = jsYaml();
  let data: unknown;
  try {
    data = load(text, {
      schema,
      // js-yaml counts depth its own way: this bound only stops hostile nesting early; the walk below decides.
      maxDepth: maxDepth * 2 + 2,
      onWarning: () => {
        throw new Defer();
      },
      listener: deferringListener(),
    } as Parameters<typeof load>[1]);
  } catch {
    // A syntax error, a duplicate key, a tag, an anchor, a stack overflow: all `yaml`'s to report or read.
    return undefined;
  } finally {
    interned.clear();
  }
  // A document that is one scalar is never a plan or a manifest, and at the root a block scalar's content
  // may start in column 0, where js-yaml reads `# c` as a comment and `yaml` as text.
  if (data === null || typeof data !== "object" || !plainShape(data, maxDepth)) return undefined;
  return { data };
}

/**
 * True when no value is nested deeper than `maxDepth` and no key is one `yaml` builds otherwise. Recursive:
 * js-yaml has already bounded the depth (see its maxDepth above). `for...in` lists a parsed object's own keys
 * (its prototype is Object.prototype) without making an array of them per object.
 */
function plainShape(value: unknown, maxDepth: number, depth = 0): boolean {
  if (depth > maxDepth) return false;
  if (Array.isArray(value)) {
    for (const item of value) if (!plainShape(item, maxDepth, depth + 1)) return false;
  } else if (value !== null && typeof value === "object") {
    for (const key in value) {
      if (KEYS_LEFT_TO_YAML.has(key)) return false;
      if (!plainShape((value as Record<string, unknown>)[key], maxDepth, depth + 1)) return false;
    }
  }
  return true;
}
