/**
 * A YAML file's data by content hash (disk-cache.ts), for files read again and
 * again unchanged: plan files under `validate`, `run` and CI. A file that
 * parsed without problems is stored as JSON; read back, its positions are
 * parsed only if a problem needs one (YamlSource.deferred). A file with a
 * YAML problem is never stored, so its problems always come from the parser.
 * In-memory text (the planner's candidates) is parsed directly: each is new.
 */
import { createRequire } from "node:module";
import { isDeepStrictEqual } from "node:util";
import { readEntry, sha256, writeEntry } from "./disk-cache.js";
import { PLAIN_YAML_VERSION } from "./plain-yaml.js";
import { parseYamlSource, YamlSource, type ParseResult } from "./source.js";

const require = createRequire(import.meta.url);
const KIND = "yaml";

let salt: string | undefined;
/**
 * Bump `yaml-data/N` when parseYamlSource's options or limits change: old entries must not bypass new ones.
 * The fast path's version is part of it too: what it answers for, and with which library, decides the data.
 */
function parserSalt(): string {
  salt ??= `yaml-data/2 yaml ${(require("yaml/package.json") as { version: string }).version} ${PLAIN_YAML_VERSION}`;
  return salt;
}

/** The name of a YAML file's entry: its text and the parser's version. */
export function yamlFileKey(text: string): string {
  return sha256(parserSalt(), text);
}

export function parseYamlFile(text: string, file: string): ParseResult {
  const key = yamlFileKey(text);
  const body = readEntry(KIND, key);
  if (body !== undefined) {
    try {
      return { ok: true, data: JSON.parse(body), source: YamlSource.deferred(file, text) };
    } catch {
      // An intact entry that is not JSON was not written by us: parse the file instead.
    }
  }
  const parsed = parseYamlSource(text, file);
  if (parsed.ok) {
    const json = JSON.stringify(parsed.data);
    // YAML can say what JSON cannot (`.inf`, `.nan`): such a file is parsed every time instead.
    if (json !== undefined && isDeepStrictEqual(JSON.parse(json), parsed.data)) writeEntry(KIND, key, json);
  }
  return parsed;
}
