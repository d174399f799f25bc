import { createRequire } from "node:module";
import type { Document, LineCounter, Node } from "yaml";
import { terminalText } from "../review/safe-text.js";
import { plainYamlData } from "./plain-yaml.js";

// `yaml` (CommonJS) is required on the first parse: a `validate` whose plans and manifests all come
// from the cache (parse-cache.ts) never loads it (~50 ms through tsx).
const require = createRequire(import.meta.url);
let yamlModule: typeof import("yaml") | undefined;
const yaml = () => (yamlModule ??= require("yaml") as typeof import("yaml"));

export type Path = readonly (string | number)[];

export interface Location {
  file: string;
  line: number;
  col: number;
}

/** Something wrong with a file, at a place a person can jump to. */
export interface Problem extends Location {
  /** Stable rule name, e.g. `yaml`, `schema`, `unknown-tool`. */
  rule: string;
  /** JSON path of the offending value inside the document. */
  path: Path;
  message: string;
}

/** Limits that keep hostile input from costing more than a clear error. */
export const SOURCE_LIMITS = {
  maxBytes: 2 * 1024 * 1024,
  maxDepth: 64,
  maxAliasCount: 100,
} as const;

/**
 * A parsed YAML document that remembers where every node came from, so a
 * problem found much later (schema, semantic rules, the runner) can still
 * point at `file:line:col`.
 */
export class YamlSource {
  #doc: Document.Parsed | undefined;
  #lines: LineCounter | undefined;
  #text: string | undefined;

  constructor(
    readonly file: string,
    doc?: Document.Parsed,
    lines?: LineCounter,
  ) {
    this.#doc = doc;
    this.#lines = lines;
  }

  /**
   * The source of `text` (which parsed without problems before), parsed for its positions only
   * when one is asked for: data read back from the cache needs them only to report a problem.
   */
  static deferred(file: string, text: string): YamlSource {
    const source = new YamlSource(file);
    source.#text = text;
    return source;
  }

  /** Whether `yaml`'s document is in memory: a file the fast path read keeps none until a position is asked for. */
  get hasDocument(): boolean {
    return this.#doc !== undefined;
  }

  get doc(): Document.Parsed {
    return this.#parsed().doc;
  }

  #parsed(): { doc: Document.Parsed; lines: LineCounter } {
    if (!this.#doc || !this.#lines) ({ doc: this.#doc, lines: this.#lines } = parseDocumentWithLines(this.#text ?? ""));
    return { doc: this.#doc, lines: this.#lines };
  }

  /** Position of the node at `path`; with `key`, of the map key naming it. Falls back to the nearest ancestor. */
  locate(path: Path, options: { key?: boolean } = {}): Location {
    const { isAlias, isMap, isScalar, isSeq } = yaml();
    const { doc, lines } = this.#parsed();
    let node: unknown = doc.contents;
    let offset = rangeStart(node) ?? 0;
    for (let i = 0; i < path.length; i++) {
      if (isAlias(node)) node = node.resolve(doc);
      const seg = path[i];
      if (isMap(node)) {
        const pair = node.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === seg);
        if (!pair) break;
        if (options.key && i === path.length - 1) {
          offset = rangeStart(pair.key) ?? offset;
          break;
        }
        node = pair.value;
      } else if (isSeq(node) && typeof seg === "number") {
        node = node.items[seg];
      } else break;
      offset = rangeStart(node) ?? offset;
    }
    const { line, col } = lines.linePos(offset);
    return { file: this.file, line, col };
  }

  problem(rule: string, path: Path, message: string, options: { key?: boolean } = {}): Problem {
    return { ...this.locate(path, options), rule, path, message };
  }
}

/** Old Mac line endings (CR alone) would make YAML read the file as one line; CR → LF keeps every offset. */
export function normalizeLineEnds(text: string): string {
  return /\r(?!\n)/.test(text) ? text.replace(/\r(?!\n)/g, "\n") : text;
}

/** The one way planfile parses YAML into a document with positions. Throws a RangeError on hostile nesting. */
function parseDocumentWithLines(text: string): { doc: Document.Parsed; lines: LineCounter } {
  const { LineCounter, parseDocument } = yaml();
  const lines = new LineCounter();
  const doc = parseDocument(normalizeLineEnds(text), {
    lineCounter: lines,
    prettyErrors: false,
    uniqueKeys: true,
    strict: true,
  });
  return { doc, lines };
}

function rangeStart(node: unknown): number | undefined {
  return (node as Node | null)?.range?.[0];
}

/** A problem with the file as a whole, shown at its start. */
function wholeFileProblem(file: string, message: string): ParseResult {
  return { ok: false, problems: [{ file, line: 1, col: 1, rule: "yaml", path: [], message }] };
}

export type ParseResult = { ok: true; source: YamlSource; data: unknown } | { ok: false; problems: Problem[] };

/**
 * Parses YAML text into data plus positions. Never throws for bad input:
 * empty, binary, oversized, alias bombs, deep nesting and syntax errors all
 * come back as located problems.
 */
export function parseYamlSource(text: string, file: string): ParseResult {
  const at = (message: string): ParseResult => wholeFileProblem(file, message);
  if (Buffer.byteLength(text, "utf8") > SOURCE_LIMITS.maxBytes) {
    return at(
      `file is larger than ${SOURCE_LIMITS.maxBytes / 1024 / 1024} MiB; a plan file is meant to be read by people — split it`,
    );
  }
  const nul = text.indexOf("\u0000");
  if (nul >= 0) return at("file is binary (contains NUL bytes); expected a YAML plan");
  if (text.trim() === "") return at("file is empty; expected a YAML document starting with `apiVersion: planfile/v1`");

  text = normalizeLineEnds(text);
  // Most files take the fast path, which keeps no syntax tree; positions are parsed only if a problem
  // needs one. Whatever it is unsure of, `yaml` parses below, with its messages and positions.
  const plain = plainYamlData(text, SOURCE_LIMITS.maxDepth);
  if (plain) return { ok: true, source: YamlSource.deferred(file, text), data: plain.data };
  return parseWithYaml(text, file);
}

/**
 * The parser of record: `yaml`'s document, with every problem located. For text past the size, NUL and
 * empty checks, with line ends normalized; exported so that tests hold the fast path to it.
 */
export function parseWithYaml(text: string, file: string): ParseResult {
  const at = (message: string): ParseResult => wholeFileProblem(file, message);
  let doc: Document.Parsed;
  let lines: LineCounter;
  try {
    ({ doc, lines } = parseDocumentWithLines(text));
  } catch (error) {
    // The parser recurses on nested flow collections; a stack overflow is the user's input, not our bug.
    return at(`cannot parse YAML: ${error instanceof RangeError ? "nesting too deep" : String(error)}`);
  }
  // An unknown tag (`!!js/function`, `!foo`) is only a warning to the library, which then keeps the text as a string.
  const problems: Problem[] = [...doc.errors, ...doc.warnings.filter((w) => w.code === "TAG_RESOLVE_FAILED")].map(
    (e) => {
      const { line, col } = lines.linePos(e.pos[0]);
      const message = terminalText(userMessage(e.code, e.message, text, e.pos));
      return { file, line, col, rule: "yaml", path: [], message };
    },
  );
  if (problems.length > 0) return { ok: false, problems };

  const source = new YamlSource(file, doc, lines);
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: SOURCE_LIMITS.maxAliasCount });
  } catch (error) {
    const message =
      error instanceof RangeError ? "nesting too deep" : firstLine(String((error as Error).message ?? error));
    return at(`cannot load YAML: ${message} (aliases are limited to ${SOURCE_LIMITS.maxAliasCount} expansions)`);
  }
  const deep = findTooDeep(data, SOURCE_LIMITS.maxDepth);
  if (deep) {
    return {
      ok: false,
      problems: [source.problem("yaml", deep, `nesting deeper than ${SOURCE_LIMITS.maxDepth} levels`)],
    };
  }
  return { ok: true, source, data };
}

/** The parser's messages, where they speak to a programmer (its API, its tag URIs), said for a person. */
function userMessage(code: string, message: string, text: string, pos: [number, number]): string {
  switch (code) {
    case "MULTIPLE_DOCS":
      return "the file holds more than one YAML document (a `---` or `...` line starts another); a plan file holds exactly one";
    case "TAG_RESOLVE_FAILED": {
      const tag = text.slice(pos[0], pos[1]).split(/\s/)[0] || message.replace(/^Unresolved tag: /, "");
      return `unknown YAML tag \`${tag}\`; plan files use plain YAML values, without tags`;
    }
    default:
      return firstLine(message);
  }
}

function firstLine(message: string): string {
  return message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
}

/**
 * Iterative, so that hostile depth cannot overflow our own stack. Returns the path of the first
 * too-deep value. Each entry links to its parent instead of copying the path: every plan passes
 * through here, and a path is only needed for the one value that is too deep.
 */
function findTooDeep(root: unknown, maxDepth: number): Path | undefined {
  interface Entry {
    value: unknown;
    depth: number;
    key?: string | number;
    parent?: Entry;
  }
  const stack: Entry[] = [{ value: root, depth: 0 }];
  while (stack.length > 0) {
    const entry = stack.pop()!;
    if (entry.depth > maxDepth) {
      const path: (string | number)[] = [];
      for (let e: Entry | undefined = entry; e?.parent; e = e.parent) path.push(e.key!);
      return path.reverse();
    }
    const { value, depth } = entry;
    if (Array.isArray(value))
      value.forEach((v, i) => stack.push({ value: v, depth: depth + 1, key: i, parent: entry }));
    else if (value && typeof value === "object") {
      for (const [k, v] of Object.entries(value)) stack.push({ value: v, depth: depth + 1, key: k, parent: entry });
    }
  }
  return undefined;
}
