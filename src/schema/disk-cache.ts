/**
 * A content-addressed cache on disk, under `.planfile/cache/` (or
 * `$PLANFILE_CACHE_DIR`; `PLANFILE_CACHE=off` turns it off). It only ever
 * saves time: an entry is named by a hash of everything it was derived from,
 * so a changed input is a different name, never a stale answer. Each entry
 * carries its own key and a hash of its body, checked on every read; a
 * truncated, edited or foreign entry reads as a miss and is rebuilt. Entries
 * are written to a temporary file and renamed, so a reader never sees half of
 * one, and a failed write (a read-only checkout) is ignored.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

const MAGIC = "planfile-cache/1";

/** The folder entries live in, or undefined when the cache is off. Read per call: tests and embedders may move it. */
export function cacheDir(env: Readonly<Record<string, string | undefined>> = process.env): string | undefined {
  if (env.PLANFILE_CACHE === "off") return undefined;
  return resolve(env.PLANFILE_CACHE_DIR || join(".planfile", "cache"));
}

export function sha256(...parts: string[]): string {
  const hash = createHash("sha256");
  for (const part of parts) hash.update(part).update("\u0000");
  return hash.digest("hex");
}

function entryPath(dir: string, kind: string, key: string): string {
  return join(dir, kind, `${key}.entry`);
}

/** The body stored under `key`, if an intact entry for exactly that key is there. */
export function readEntry(kind: string, key: string, dir = cacheDir()): string | undefined {
  if (!dir) return undefined;
  let text: string;
  try {
    text = readFileSync(entryPath(dir, kind, key), "utf8");
  } catch {
    return undefined;
  }
  const newline = text.indexOf("\n");
  if (newline < 0) return undefined;
  const [magic, storedKey, bodyHash] = text.slice(0, newline).split(" ");
  const body = text.slice(newline + 1);
  if (magic !== MAGIC || storedKey !== key || bodyHash !== sha256(body)) return undefined;
  return body;
}

/** Stores `body` under `key`, atomically; best effort (a cache that cannot be written costs time, never correctness). */
export function writeEntry(kind: string, key: string, body: string, dir = cacheDir()): void {
  if (!dir) return;
  const path = entryPath(dir, kind, key);
  const temp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    mkdirSync(join(dir, kind), { recursive: true });
    writeFileSync(temp, `${MAGIC} ${key} ${sha256(body)}\n${body}`);
    renameSync(temp, path);
  } catch {
    try {
      rmSync(temp, { force: true });
    } catch {
      // Nothing was written, or nothing can be: either way the cache stays as it was.
    }
  }
}
