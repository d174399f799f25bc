/**
 * The shapes a secret takes on its way out: a tool URL-encodes it into a
 * query, JSON-escapes it into a body, base64-encodes it into a header
 * (`Basic base64(user:token)`), and a server may echo any of these back.
 * Redaction looks for every one of them.
 */

/** Below this length only the raw value is redacted: encodings of short strings are too common to hide. */
const MIN_ENCODED = 4;

export function secretForms(secret: string): string[] {
  if (secret.length === 0) return [];
  const forms = new Set<string>([secret]);
  if (secret.length >= MIN_ENCODED) {
    forms.add(encodeURIComponent(secret));
    forms.add(encodeURIComponent(secret).replace(/%20/g, "+")); // application/x-www-form-urlencoded
    forms.add(encodeURI(secret));
    forms.add(JSON.stringify(secret).slice(1, -1));
    for (const core of base64Cores(Buffer.from(secret, "utf8"))) {
      forms.add(core);
      forms.add(core.replace(/\+/g, "-").replace(/\//g, "_")); // base64url
    }
  }
  return [...forms].filter((f) => f.length > 0);
}

/**
 * The part of a base64 stream determined by `bytes` alone, for each of the
 * three alignments it can have inside a longer encoded value (`user:` + token).
 */
function base64Cores(bytes: Buffer): string[] {
  const cores: string[] = [];
  for (let lead = 0; lead < 3; lead++) {
    const encoded = Buffer.concat([Buffer.alloc(lead), bytes]).toString("base64");
    const start = Math.ceil((lead * 4) / 3);
    const end = Math.floor(((lead + bytes.length) * 4) / 3);
    const core = encoded.slice(start, end);
    if (core.length >= MIN_ENCODED) cores.push(core);
  }
  return cores;
}

/** Replaces every form of every secret in `text`, longest first so a secret containing another goes whole. */
export function redactText(text: string, forms: readonly string[], mask = "***"): string {
  let out = text;
  for (const form of forms) if (out.includes(form)) out = out.split(form).join(mask);
  return out;
}

/** All forms of all secrets, longest first. */
export function formsOf(secrets: Iterable<string>): string[] {
  const all = new Set<string>();
  for (const secret of secrets) for (const form of secretForms(secret)) all.add(form);
  return [...all].sort((a, b) => b.length - a.length);
}

/** A redacted deep copy of a JSON-like value (keys too). */
export function redactValue<T>(value: T, forms: readonly string[]): T {
  if (forms.length === 0) return value;
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") return redactText(v, forms);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === "object")
      return Object.fromEntries(Object.entries(v).map(([k, inner]) => [redactText(k, forms), walk(inner)]));
    return v;
  };
  return walk(value) as T;
}
