/**
 * Reads a file that may come from someone we do not trust (a plan in a pull
 * request, a sandbox fixture): the size limit holds while reading, not after;
 * only regular files are read (a FIFO would hang, /dev/zero never ends);
 * symbolic links are not followed unless allowed (a link would echo another
 * file's content back in error messages); and the bytes must be UTF-8.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
import type { Problem } from "./source.js";

export interface ReadOptions {
  maxBytes: number;
  /** Follow a symbolic link at the last path component (`--follow-symlinks`). */
  followSymlinks?: boolean;
  /** What the file is, for messages ("plan", "fixture"). */
  noun?: string;
}

export type ReadResult = { ok: true; text: string } | { ok: false; problems: Problem[]; missing?: boolean };

let followByDefault = process.env.PLANFILE_FOLLOW_SYMLINKS === "1";

/** Set once by the CLI's `--follow-symlinks`. */
export function allowSymlinks(allow: boolean): void {
  followByDefault = allow;
}

export function readUntrustedFile(file: string, options: ReadOptions): ReadResult {
  const noun = options.noun ?? "file";
  const fail = (message: string, line = 1, col = 1, missing = false): ReadResult => ({
    ok: false,
    missing,
    problems: [{ file, line, col, rule: "io", path: [], message }],
  });
  const follow = options.followSymlinks ?? followByDefault;
  let fd: number;
  try {
    // Non-blocking, so that opening a FIFO with no writer returns at once instead of hanging.
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK | (follow ? 0 : constants.O_NOFOLLOW));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return fail(`cannot read ${noun}: no such file`, 1, 1, true);
    if (code === "ELOOP" || code === "EMLINK")
      return fail(
        `cannot read ${noun}: it is a symbolic link, which planfile does not follow; pass --follow-symlinks if you trust where it points`,
      );
    return fail(`cannot read ${noun}: ${(error as Error).message}`);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile())
      return fail(`cannot read ${noun}: it is ${kindOf(stat)}, not a regular file; give the path of a YAML file`);
    const limit = options.maxBytes;
    const tooBig = () =>
      fail(`${noun} is larger than ${limit / 1024 / 1024} MiB; a plan file is meant to be read by people — split it`);
    if (stat.size > limit) return tooBig();
    // The file may grow while we read: read at most limit + 1 bytes, whatever fstat said.
    const buffer = Buffer.alloc(limit + 1);
    let length = 0;
    for (;;) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
      if (length > limit) return tooBig();
    }
    return decodeUtf8(buffer.subarray(0, length), noun, fail);
  } finally {
    closeSync(fd);
  }
}

const decoder = new TextDecoder("utf-8", { fatal: true });

function decodeUtf8(bytes: Buffer, noun: string, fail: (m: string, line?: number, col?: number) => ReadResult) {
  try {
    return { ok: true as const, text: decoder.decode(bytes) };
  } catch {
    const offset = firstInvalidUtf8(bytes);
    const before = bytes.subarray(0, offset).toString("utf8");
    const line = before.split("\n").length;
    const col = before.length - before.lastIndexOf("\n");
    return fail(
      `${noun} is not valid UTF-8 (byte 0x${bytes[offset]?.toString(16).padStart(2, "0")} at offset ${offset}); save it as UTF-8`,
      line,
      col,
    );
  }
}

/** Offset of the first byte that does not start or continue a valid UTF-8 sequence. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const need =
      b < 0x80 ? 0 : b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
    if (need < 0) return i;
    if (need > 0) {
      // Second-byte ranges that exclude overlongs, surrogates and code points past U+10FFFF.
      const lo = b === 0xe0 ? 0xa0 : b === 0xf0 ? 0x90 : 0x80;
      const hi = b === 0xed ? 0x9f : b === 0xf4 ? 0x8f : 0xbf;
      for (let k = 1; k <= need; k++) {
        const c = bytes[i + k];
        if (c === undefined || c < (k === 1 ? lo : 0x80) || c > (k === 1 ? hi : 0xbf)) return i;
      }
    }
    i += need + 1;
  }
  return bytes.length;
}

function kindOf(stat: import("node:fs").Stats): string {
  if (stat.isDirectory()) return "a directory";
  if (stat.isFIFO()) return "a named pipe (FIFO)";
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return "a device";
  if (stat.isSocket()) return "a socket";
  return "not a regular file";
}
