/**
 * Tool manifests parsed and checked once, then read back by content hash
 * (src/schema/disk-cache.ts). Parsing YAML with node positions is the costly
 * part of loading tools/ (~150 ms for the shipped manifests); positions only
 * serve error messages, and a manifest with an error is never cached, so a
 * cached manifest is stored as plain JSON. The key covers the manifest's text,
 * the tool-set schema and the versions of the parser and the schema checker:
 * a change to any of them is a miss, never a stale answer.
 */
import { createRequire } from "node:module";
import { isDeepStrictEqual } from "node:util";
import type { ToolSet } from "../schema/types.generated.js";
import { compilerSalt, schemaText } from "../schema/ajv.js";
import { readEntry, sha256, writeEntry } from "../schema/disk-cache.js";

const require = createRequire(import.meta.url);
const KIND = "manifests";

let salt: string | undefined;
/** Bump `manifest/1` when parseToolSet's checks change: entries made under the old checks must not count. */
function manifestSalt(): string {
  salt ??= `manifest/1 yaml ${yamlVersion()} ${compilerSalt()} ${sha256(schemaText("tool"))}`;
  return salt;
}

const yamlVersion = () => (require("yaml/package.json") as { version: string }).version;

export function manifestKey(text: string): string {
  return sha256(manifestSalt(), text);
}

/** The checked tool set stored for exactly this text, if there is an intact entry for it. */
export function cachedManifest(key: string): unknown {
  const body = readEntry(KIND, key);
  if (body === undefined) return undefined;
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

/** Called only once the manifest passed every check that needs its positions. */
export function cacheManifest(key: string, set: ToolSet): void {
  const json = JSON.stringify(set);
  // YAML can say what JSON cannot (`.inf`, `.nan`): such a manifest is parsed every time instead.
  if (isDeepStrictEqual(JSON.parse(json), set)) writeEntry(KIND, key, json);
}
