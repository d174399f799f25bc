import { createHash, type Hash } from "node:crypto";
import type { Plan } from "../schema/types.generated.js";

/**
 * sha256 of the plan's canonical JSON (RFC 8785): formatting, comments and key
 * order do not change it; any change of meaning does. The runner compares it
 * with the digest recorded at approval.
 *
 * Not `canonicalize` (which gives the same text; a test holds them equal):
 * it builds every nested value as a string and concatenates it into its
 * parent, 28 ms for a 2,000-step plan. Here the plan is copied with its keys
 * in canonical order, lists of plain values shared as they are, and the copy
 * is written once by the native JSON.stringify: about 4 ms. (An object with
 * integer-like keys, whose order no JS object keeps, takes the slow way.)
 */
export function planDigest(plan: Plan): string {
  // Hashed as it is written, a step at a time: a copy of the whole plan would live through the young
  // generation's collections (some 4 MB counted as survivors for a 10k-step plan), and enough survivors make
  // V8 double the young generation for the rest of the process (issue 16, item 4). Each step's ordered copy
  // dies young; the text is the same, piece by piece.
  const hash = createHash("sha256");
  const sink = { text: "", hash };
  try {
    stream(plan, sink, 0);
  } catch (error) {
    if (error !== INDEX_KEYS) throw error;
    return `sha256:${createHash("sha256").update(written(plan)).digest("hex")}`;
  }
  hash.update(sink.text);
  return `sha256:${hash.digest("hex")}`;
}

/** Values this deep (a plan's steps) are written whole; above, containers are written piece by piece. */
const STREAM_DEPTH = 2;
const PIECE = 64 * 1024;

function emit(sink: { text: string; hash: Hash }, text: string): void {
  sink.text += text;
  if (sink.text.length >= PIECE) {
    sink.hash.update(sink.text);
    sink.text = "";
  }
}

/** `canonicalJson(value)` into `sink`; `value` is not undefined or a symbol (its parent left those out). */
function stream(value: unknown, sink: { text: string; hash: Hash }, depth: number): void {
  if (
    depth >= STREAM_DEPTH ||
    value === null ||
    typeof value !== "object" ||
    typeof (value as { toJSON?: unknown }).toJSON === "function"
  ) {
    emit(sink, JSON.stringify(ordered(value)) ?? "");
    return;
  }
  if (Array.isArray(value)) {
    if (value.every(plain)) return emit(sink, JSON.stringify(value));
    emit(sink, "[");
    value.forEach((item, i) => {
      if (i > 0) emit(sink, ",");
      if (item === undefined || typeof item === "symbol") emit(sink, "null");
      else stream(item, sink, depth + 1);
    });
    emit(sink, "]");
    return;
  }
  const record = value as Record<string, unknown>;
  let first = true;
  emit(sink, "{");
  for (const key of Object.keys(record).sort()) {
    if (INDEX_KEY.test(key)) throw INDEX_KEYS;
    const item = record[key];
    if (item === undefined || typeof item === "symbol") continue;
    emit(sink, `${first ? "" : ","}${JSON.stringify(key)}:`);
    first = false;
    stream(item, sink, depth + 1);
  }
  emit(sink, "}");
}

/** The RFC 8785 text of a JSON value. */
export function canonicalJson(value: unknown): string {
  try {
    return JSON.stringify(ordered(value)) ?? "";
  } catch (error) {
    if (error !== INDEX_KEYS) throw error;
    return written(value);
  }
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
    return value.map((item) => (item === undefined || typeof item === "symbol" ? null : ordered(item)));
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  const copy: Record<string, unknown> = {};
  for (const key of keys) {
    if (INDEX_KEY.test(key)) throw INDEX_KEYS;
    const item = record[key];
    if (item === undefined || typeof item === "symbol") continue;
    // Defined, not assigned: a `__proto__` key stays a key (a prototype-less copy would be slow to write).
    if (key === "__proto__") Object.defineProperty(copy, key, { value: ordered(item), enumerable: true });
    else copy[key] = ordered(item);
  }
  return copy;
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
  for (const key of Object.keys(record).sort()) {
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
