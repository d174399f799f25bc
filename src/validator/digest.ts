import { createHash } from "node:crypto";
import type { Plan } from "../schema/types.generated.js";

/**
 * sha256 of the plan's canonical JSON (RFC 8785): formatting, comments and key
 * order do not change it; any change of meaning does. The runner compares it
 * with the digest recorded at approval.
 *
 * Not `canonicalize` (which gives the same text; a test holds them equal):
 * it builds every nested value as a string and concatenates it into its
 * parent, 28 ms for a 2,000-step plan. Here each step is copied with its keys
 * in canonical order, lists of plain values shared as they are, and the copy
 * written by the native JSON.stringify (see `sealPlan`). (An object with
 * integer-like keys, whose order no JS object keeps, takes the slow way.)
 */
export function planDigest(plan: Plan): string {
  return sealPlan(plan, false).digest;
}

/** The RFC 8785 text of a JSON value. */
export function canonicalJson(value: unknown): string {
  const { chunks, text } = canonical(value);
  return text ?? Buffer.concat(chunks!).toString("utf8");
}

/**
 * The plan's digest, and its canonical JSON when `withText` (the journal's first line carries it). Written a
 * step at a time into off-heap pieces: a key-ordered copy of the whole plan, or its text built in the heap,
 * lived through the young generation's collections (some 4 MB counted as survivors for a 10k-step plan), and
 * enough survivors make V8 double the young generation for the rest of the process (issue 16, item 4). Each
 * step's ordered copy and text die young; the text is the same.
 */
export function sealPlan(plan: Plan, withText: boolean): { digest: string; json?: () => Buffer[] } {
  const { chunks, text } = canonical(plan);
  const hash = createHash("sha256");
  if (chunks) for (const chunk of chunks) hash.update(chunk);
  else hash.update(text ?? "");
  const digest = `sha256:${hash.digest("hex")}`;
  // The text stays off the JS heap, in its UTF-8 pieces, and is written as they are: a megabyte string alive while
  // the run starts would be a survivor too, and decoding it to be encoded again costs as much as writing it.
  return withText ? { digest, json: () => chunks ?? [Buffer.from(text ?? "", "utf8")] } : { digest };
}

/** `value`'s canonical JSON as off-heap pieces, or the slow way's text. */
function canonical(value: unknown): { chunks?: Buffer[]; text?: string } {
  const sink = new Sink();
  try {
    stream(value, sink, 0);
  } catch (error) {
    if (error !== INDEX_KEYS) throw error;
    return { text: written(value) };
  }
  return { chunks: sink.end() };
}

/**
 * Text written straight into off-heap 64 KiB buffers, a block of a list at a time: no string joins the pieces,
 * so the text is made once by JSON.stringify and copied once, as UTF-8, out of the JS heap.
 */
class Sink {
  private readonly chunks: Buffer[] = [];
  private chunk = Buffer.allocUnsafe(CHUNK);
  private used = 0;

  /** Writes `text`; returns where in the current buffer it starts. */
  write(text: string): number {
    let start = this.used;
    let written = this.chunk.write(text, start);
    // Short of the end, it all fit; near it, `write` may have stopped at a character that did not.
    if (start + written > this.chunk.length - 4) {
      const bytes = Buffer.byteLength(text);
      if (written < bytes) {
        this.flush();
        this.chunk = Buffer.allocUnsafe(Math.max(CHUNK, bytes));
        start = 0;
        written = this.chunk.write(text, 0);
      }
    }
    this.used = start + written;
    return start;
  }

  /** A list's JSON text, `[...]`, written as the continuation of a list: `,...`, and its `]` only when `last`. */
  writeContinued(text: string, last: boolean): void {
    const start = this.write(text); // first: it may move on to a new buffer
    this.chunk[start] = COMMA; // JSON.stringify's list text starts with "[" (and ends with "]")
    if (!last) this.used -= 1;
  }

  /** A list's JSON text written as its start: its `]` only when `last`. */
  writeOpened(text: string, last: boolean): void {
    this.write(text);
    if (!last) this.used -= 1;
  }

  end(): Buffer[] {
    this.flush();
    return this.chunks;
  }

  private flush(): void {
    if (this.used > 0) this.chunks.push(this.chunk.subarray(0, this.used));
    this.used = 0;
  }
}

const CHUNK = 64 * 1024;
const COMMA = 0x2c;

/** Containers this deep (a plan's steps) are written by JSON.stringify, a block of items at a time; above, piece by piece. */
const STREAM_DEPTH = 2;
/**
 * Items of a list written by one JSON.stringify: one call per step made its text in growing parts, 2.3 MB for a
 * megabyte of steps, where one per block makes it once. A block's ordered copies die with it.
 */
const BLOCK = 64;

/** `ordered(value)` written as JSON into `sink`; `value` is not undefined or a symbol (its parent left those out). */
function stream(value: unknown, sink: Sink, depth: number): void {
  if (
    depth >= STREAM_DEPTH ||
    value === null ||
    typeof value !== "object" ||
    typeof (value as { toJSON?: unknown }).toJSON === "function"
  ) {
    const text = JSON.stringify(ordered(value));
    if (text !== undefined) sink.write(text);
    return;
  }
  if (Array.isArray(value)) {
    if (value.every(plain)) {
      sink.write(JSON.stringify(value));
      return;
    }
    if (depth + 1 < STREAM_DEPTH) {
      sink.write("[");
      for (let i = 0; i < value.length; i++) {
        if (i > 0) sink.write(",");
        const item = value[i];
        if (item === undefined || typeof item === "symbol") sink.write("null");
        else stream(item, sink, depth + 1);
      }
      sink.write("]");
      return;
    }
    if (value.length === 0) {
      sink.write("[]");
      return;
    }
    // The text of each block, `[a,b]`, joins the list as `[a,b` then `,c,d` ... `,y,z]`.
    for (let from = 0; from < value.length; from += BLOCK) {
      const to = Math.min(from + BLOCK, value.length);
      const block = new Array(to - from);
      for (let i = from; i < to; i++) block[i - from] = orderedItem(value[i]);
      const text = JSON.stringify(block);
      if (from === 0) sink.writeOpened(text, to === value.length);
      else sink.writeContinued(text, to === value.length);
    }
    return;
  }
  const record = value as Record<string, unknown>;
  let first = true;
  sink.write("{");
  for (const key of sortedKeys(record)) {
    if (INDEX_KEY.test(key)) throw INDEX_KEYS;
    const item = record[key];
    if (item === undefined || typeof item === "symbol") continue;
    sink.write(first ? `${JSON.stringify(key)}:` : `,${JSON.stringify(key)}:`);
    first = false;
    stream(item, sink, depth + 1);
  }
  sink.write("}");
}

/** An object's own keys in UTF-16 order. An insertion sort in place: `Array.prototype.sort` made 1 KB per call. */
function sortedKeys(record: object): string[] {
  const keys = Object.keys(record);
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i]!;
    let j = i - 1;
    for (; j >= 0 && keys[j]! > key; j--) keys[j + 1] = keys[j]!;
    keys[j + 1] = key;
  }
  return keys;
}

/** Integer-like keys: a JS object lists them first, in numeric order, whatever order they were added in. */
const INDEX_KEY = /^(0|[1-9][0-9]*)$/;
const INDEX_KEYS = new Error("an object with integer-like keys: no JS object keeps their canonical order");

/** `value` with every object's keys in UTF-16 order, ready for JSON.stringify; throws where RFC 8785 does. */
function ordered(value: unknown): unknown {
  if (value === null || typeof value !== "object") return scalar(value);
  const json = (value as { toJSON?: unknown }).toJSON;
  if (typeof json === "function") return ordered(json.call(value));
  if (Array.isArray(value)) {
    // A list of plain values (dependsOn, riskySteps) is written by JSON.stringify as it is.
    if (value.every(plain)) return value;
    return value.map(orderedItem);
  }
  const record = value as Record<string, unknown>;
  const copy: Record<string, unknown> = {};
  for (const key of sortedKeys(record)) {
    if (INDEX_KEY.test(key)) throw INDEX_KEYS;
    const item = record[key];
    if (item === undefined || typeof item === "symbol") continue;
    // Defined, not assigned: a `__proto__` key stays a key (a prototype-less copy would be slow to write).
    if (key === "__proto__") Object.defineProperty(copy, key, { value: ordered(item), enumerable: true });
    else copy[key] = ordered(item);
  }
  return copy;
}

/** A list's item as JSON.stringify writes it in a list: undefined and symbols are null. */
function orderedItem(item: unknown): unknown {
  return item === undefined || typeof item === "symbol" ? null : ordered(item);
}

/** The slow way, for the rare value with integer-like keys: the text built piece by piece. */
function written(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(scalar(value));
  const json = (value as { toJSON?: unknown }).toJSON;
  if (typeof json === "function") return written(json.call(value));
  if (Array.isArray(value))
    return `[${value.map((item) => (item === undefined || typeof item === "symbol" ? "null" : written(item))).join(",")}]`;
  const record = value as Record<string, unknown>;
  const parts: string[] = [];
  for (const key of sortedKeys(record)) {
    const item = record[key];
    if (item !== undefined && typeof item !== "symbol") parts.push(`${JSON.stringify(key)}:${written(item)}`);
  }
  return `{${parts.join(",")}}`;
}

function scalar(value: unknown): unknown {
  if (typeof value === "number" && !Number.isFinite(value))
    throw new Error(`${value} is not allowed in canonical JSON`);
  return value;
}

function plain(v: unknown): boolean {
  const type = typeof v;
  return type === "string" || type === "boolean" || v === null || (type === "number" && Number.isFinite(v));
}
