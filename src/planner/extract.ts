/**
 * Finds the JSON object in a model's answer. Endpoints with structured
 * outputs send bare JSON; others wrap it in ```json fences or in prose.
 * Returns the first candidate that parses, or why none did.
 */
export type Extracted =
  | { ok: true; value: unknown; how: "bare" | "fenced" | "embedded" }
  | { ok: false; message: string };

export function extractJson(text: string): Extracted {
  const trimmed = text.trim();
  if (trimmed === "") return { ok: false, message: "the answer was empty" };
  const bare = tryParse(trimmed);
  if (bare.ok) return { ok: true, value: bare.value, how: "bare" };

  for (const m of trimmed.matchAll(/```[a-zA-Z0-9_-]*[ \t]*\r?\n([\s\S]*?)```/g)) {
    const fenced = tryParse(m[1]!.trim());
    if (fenced.ok) return { ok: true, value: fenced.value, how: "fenced" };
  }

  let firstError = bare.message;
  for (let start = trimmed.indexOf("{"); start !== -1; start = trimmed.indexOf("{", start + 1)) {
    const end = balancedEnd(trimmed, start);
    if (end === -1) {
      return {
        ok: false,
        message: `the answer's JSON is incomplete: the object opened at character ${start} is never closed (was the answer truncated?)`,
      };
    }
    const embedded = tryParse(trimmed.slice(start, end + 1));
    if (embedded.ok) return { ok: true, value: embedded.value, how: "embedded" };
    firstError = embedded.message;
  }
  return { ok: false, message: `the answer holds no JSON object: ${firstError}` };
}

function tryParse(text: string): { ok: true; value: unknown } | { ok: false; message: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
}

/** Index of the `}` closing the object at `start`, skipping braces inside strings; -1 when it never closes. */
function balancedEnd(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "{") depth++;
    else if (c === "}" && --depth === 0) return i;
  }
  return -1;
}
