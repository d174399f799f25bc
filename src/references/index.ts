/**
 * `${{ … }}` references, GitHub Actions style. A plan may say
 *   ${{ steps.<id>.outputs.<path> }}   an output of an earlier step
 *   ${{ context.<id>.<path> }}         a value read while planning
 *   ${{ secrets.<NAME> }}              resolved from the environment at run time only
 * and a tool's default compensation may say ${{ args.<path> }} / ${{ outputs.<path> }}.
 */
import type { Path } from "../schema/source.js";

export type Reference =
  | { root: "steps"; step: string; path: Path; text: string }
  | { root: "context"; id: string; path: Path; text: string }
  | { root: "secrets"; name: string; path: Path; text: string }
  | { root: "args" | "outputs"; path: Path; text: string };

export type ParsedReference = { ok: true; ref: Reference } | { ok: false; text: string; message: string };

/** Where in a value tree a string holds references, and whether the string is exactly one of them. */
export interface ReferenceSite {
  path: Path;
  /** The whole string is one reference, so the resolved value keeps its type. */
  whole: boolean;
  refs: ParsedReference[];
}

const REF = /\$\{\{\s*(.*?)\s*\}\}/g;
const WHOLE = /^\$\{\{\s*(.*?)\s*\}\}$/;
const IDENT = /^[A-Za-z_][A-Za-z0-9_-]*$/;

export function hasReference(value: string): boolean {
  return value.includes("${{");
}

const parsedCache = new Map<string, ParsedReference>();

/** Parses the expression inside `${{ }}`: dotted identifiers with optional `[n]` indexes. Pure, so memoized. */
export function parseReference(expression: string): ParsedReference {
  let parsed = parsedCache.get(expression);
  if (!parsed) {
    // Bounded: a long-lived process validating many plans must not grow without limit.
    if (parsedCache.size >= 10_000) parsedCache.clear();
    parsed = parseUncached(expression.trim());
    parsedCache.set(expression, parsed);
  }
  return parsed;
}

function parseUncached(text: string): ParsedReference {
  const fail = (message: string): ParsedReference => ({ ok: false, text, message });
  const segments: (string | number)[] = [];
  for (const part of text.split(".")) {
    const m = /^([^[\]]+)((?:\[\d+\])*)$/.exec(part);
    if (!m || !IDENT.test(m[1]!))
      return fail(`\`${text}\` is not a reference; expected e.g. steps.<id>.outputs.<field>`);
    segments.push(m[1]!);
    for (const idx of m[2]!.matchAll(/\[(\d+)\]/g)) segments.push(Number(idx[1]));
  }
  const [root, ...rest] = segments;
  switch (root) {
    case "steps": {
      const [step, outputs, ...path] = rest;
      if (typeof step !== "string" || outputs !== "outputs") {
        return fail(`\`${text}\`: step references take the form steps.<id>.outputs.<field>`);
      }
      return { ok: true, ref: { root, step, path, text } };
    }
    case "context": {
      const [id, ...path] = rest;
      if (typeof id !== "string") return fail(`\`${text}\`: context references take the form context.<id>.<field>`);
      return { ok: true, ref: { root, id, path, text } };
    }
    case "secrets": {
      const [name, ...more] = rest;
      if (typeof name !== "string" || more.length > 0)
        return fail(`\`${text}\`: secret references take the form secrets.<NAME>`);
      return { ok: true, ref: { root, name, path: [], text } };
    }
    case "args":
    case "outputs":
      return { ok: true, ref: { root, path: rest, text } };
    default:
      return fail(`\`${text}\`: unknown reference root \`${String(root)}\`; use steps., context. or secrets.`);
  }
}

/**
 * Whether any string in `value` holds a reference: what `findReferences` would find something in, without
 * making paths or a list (the validator asks it of every call's arguments). Iterative like it: plans may be
 * hostile; a stack is made only for nested containers.
 */
export function holdsReference(value: unknown): boolean {
  if (typeof value === "string") return hasReference(value);
  if (value === null || typeof value !== "object") return false;
  let stack: object[] | undefined;
  for (let current: object | undefined = value; current !== undefined; current = stack?.pop()) {
    for (const key in current) {
      const child = (current as Record<string, unknown>)[key];
      if (typeof child === "string") {
        if (hasReference(child)) return true;
      } else if (child !== null && typeof child === "object") (stack ??= []).push(child);
    }
  }
  return false;
}

/** Every string in `value` that holds a reference, with its path. Iterative: plans may be hostile. */
export function findReferences(value: unknown, base: Path = []): ReferenceSite[] {
  const sites: ReferenceSite[] = [];
  const stack: { value: unknown; path: Path }[] = [{ value, path: base }];
  while (stack.length > 0) {
    const { value: v, path } = stack.pop()!;
    if (typeof v === "string") {
      if (!hasReference(v)) continue;
      const whole = WHOLE.exec(v);
      if (whole && !whole[1]!.includes("}}")) {
        sites.push({ path, whole: true, refs: [parseReference(whole[1]!)] });
      } else {
        const refs = [...v.matchAll(REF)].map((m) => parseReference(m[1]!));
        if (refs.length === 0) refs.push({ ok: false, text: v, message: `unterminated \`\${{\` in "${v}"` });
        sites.push({ path, whole: false, refs });
      }
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], path: [...path, i] });
    } else if (v && typeof v === "object") {
      for (const [k, child] of Object.entries(v).reverse()) stack.push({ value: child, path: [...path, k] });
    }
  }
  return sites;
}

/** Reads `path` inside `value`; `found: false` when any segment is missing. */
export function getPath(value: unknown, path: Path): { found: true; value: unknown } | { found: false } {
  let current = value;
  for (const seg of path) {
    if (current === null || typeof current !== "object" || !Object.hasOwn(current, seg)) return { found: false };
    current = (current as Record<string | number, unknown>)[seg];
  }
  return { found: true, value: current };
}

/**
 * Replaces every reference in `value`. A string that is exactly one reference
 * takes the referenced value with its type (a number stays a number);
 * references inside longer strings are interpolated as text.
 */
export function substitute(value: unknown, resolve: (ref: Reference) => unknown): unknown {
  if (typeof value === "string") {
    if (!hasReference(value)) return value;
    const whole = WHOLE.exec(value);
    if (whole && !whole[1]!.includes("}}")) return resolve(expect(parseReference(whole[1]!)));
    return value.replace(REF, (_m, expr: string) => {
      const resolved = resolve(expect(parseReference(expr)));
      return typeof resolved === "string" ? resolved : JSON.stringify(resolved);
    });
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, resolve));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, resolve)]));
  }
  return value;
}

function expect(parsed: ParsedReference): Reference {
  if (!parsed.ok) throw new ReferenceError(parsed.message);
  return parsed.ref;
}

export function formatPath(path: Path): string {
  return path.map((s, i) => (typeof s === "number" ? `[${s}]` : i === 0 ? s : `.${s}`)).join("");
}
