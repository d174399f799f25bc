/**
 * A content-addressed cache on disk, per user: `$XDG_CACHE_HOME/planfile`, else
 * `~/.cache/planfile` (`$PLANFILE_CACHE_DIR` moves it; `PLANFILE_CACHE=off`
 * turns it off). It only ever saves time: an entry is named by a hash of
 * everything it was derived from, so a changed input is a different name,
 * never a stale answer. Each entry carries its own key and a hash of its body,
 * checked on every read; a truncated, edited or foreign entry reads as a miss
 * and is rebuilt. Entries are written to a temporary file and renamed, so a
 * reader never sees half of one, and a failed write is ignored.
 *
 * Not under the working folder's `.planfile/`: a checkout under review (a pull
 * request in CI) could carry entries there, and entries hold code (compiled
 * validators) and the data a plan runs with. A hash names content; it cannot
 * vouch for whoever wrote it. Only the user's own folder is trusted.
 *
 * The installed package also ships entries, built by `npm run build` for its
 * own schemas and tools (dist/cache/): read after the user's, never written,
 * so its first `validate` starts warm. They are as trusted as its code.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const MAGIC = "planfile-cache/1";

/** Beside the compiled code (dist/src/schema/ → dist/cache/). A checkout runs its sources and has none. */
export const SHIPPED_CACHE_DIR = import.meta.url.endsWith(".js")
  ? fileURLToPath(new URL("../../cache/", import.meta.url))
  : undefined;

/** The folder entries live in, or undefined when the cache is off. Read per call: tests and embedders may move it. */
export function cacheDir(env: Readonly<Record<string, string | undefined>> = process.env): string | undefined {
  if (env.PLANFILE_CACHE === "off") return undefined;
  if (env.PLANFILE_CACHE_DIR) return resolve(env.PLANFILE_CACHE_DIR);
  return join(env.XDG_CACHE_HOME || join(homedir(), ".cache"), "planfile");
}

export function sha256(...parts: string[]): string {
  const hash = createHash("sha256");
  for (const part of parts) hash.update(part).update("\u0000");
  return hash.digest("hex");
}

function entryPath(dir: string, kind: string, key: string): string {
  return join(dir, kind, `${key}.entry`);
}

/** The body stored under `key`, if an intact entry for exactly that key is there (or ships with planfile). */
export function readEntry(kind: string, key: string, dir = cacheDir()): string | undefined {
  if (!dir) return undefined;
  return readIntact(dir, kind, key) ?? (SHIPPED_CACHE_DIR && readIntact(SHIPPED_CACHE_DIR, kind, key));
}

function readIntact(dir: string, kind: string, key: string): string | undefined {
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
