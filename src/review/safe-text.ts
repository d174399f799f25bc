/**
 * Plan-supplied text on its way to a person: a terminal or a Markdown PR
 * comment. A plan from a pull request must not be able to repaint the
 * reviewer's terminal (ESC sequences, C1 controls), reorder what they read
 * (bidi overrides and isolates), hide text (zero-width characters) or add
 * links and images to a comment.
 *
 * Control and format characters are not stripped but shown as escapes
 * (`\x1b`, `\u202e`), so the reviewer sees that something was there. The
 * character classes are Unicode's own (Cc, Cf, Zl, Zp through the regex
 * engine's property escapes): strip-ansi and friends only know ANSI
 * sequences and miss C1, bidi and zero-width characters.
 */

/** Controls (C0, DEL, C1), format characters (bidi, zero-width, BOM, tags) and line/paragraph separators. */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;
const INVISIBLE_EXCEPT_NEWLINE = /(?!\n)[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;

function escapeChar(ch: string): string {
  const cp = ch.codePointAt(0)!;
  if (cp <= 0xff) return `\\x${cp.toString(16).padStart(2, "0")}`;
  return cp <= 0xffff ? `\\u${cp.toString(16).padStart(4, "0")}` : `\\u{${cp.toString(16)}}`;
}

/** Text for a terminal, keeping its newlines: every other control or format character shown as an escape. */
export function terminalText(text: string): string {
  return text.replace(INVISIBLE_EXCEPT_NEWLINE, escapeChar);
}

/** One line of text for a terminal or Markdown: whitespace runs become one space, the rest is escaped. */
export function oneLine(text: string): string {
  return text.replace(/[ \t\r\n]+/g, " ").replace(INVISIBLE, escapeChar);
}

/**
 * Text for a Markdown table cell or paragraph: one line, every character
 * Markdown could read as inline syntax escaped (links and images `[]()!`,
 * emphasis `*_~`, code, math `$`, HTML `<>&`, table `|`), and bare URLs put
 * in code spans so they are not turned into links.
 */
export function markdownText(text: string): string {
  const parts = oneLine(text).split(URL);
  return parts.map((part, i) => (i % 2 === 1 ? markdownCode(part) : escapeMarkdown(part))).join("");
}

// GitHub turns `http://…`, `https://…` and `www.…` into links even without `<>` or `[]()`.
const URL = /((?:[a-z][a-z0-9+.-]*:\/\/|www\.)[^\s`]+)/gi;

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()!|~<>&$]/g, (ch) => {
    if (ch === "<") return "&lt;";
    if (ch === ">") return "&gt;";
    if (ch === "&") return "&amp;";
    if (ch === "|") return "\\|";
    return `\\${ch}`;
  });
}

/** An inline code span for any text: one line, controls escaped, fenced by more backticks than it holds. */
export function markdownCode(text: string): string {
  if (text === "") return "—";
  const flat = oneLine(text).replace(/\|/g, "\\|");
  const ticks = "`".repeat(Math.max(0, ...[...flat.matchAll(/`+/g)].map((m) => m[0].length)) + 1);
  const pad = flat.startsWith("`") || flat.endsWith("`") ? " " : "";
  return `${ticks}${pad}${flat}${pad}${ticks}`;
}

/**
 * One of planfile's own messages (problems, warnings) for Markdown: its
 * `code` spans stay code spans, every other part is escaped text. Plan text
 * quoted in the message cannot break out either way: a stray backtick only
 * moves where code ends, and both sides are escaped.
 */
export function markdownMessage(text: string): string {
  return oneLine(text)
    .split(/`([^`]*)`/)
    .map((part, i) => (i % 2 === 1 ? markdownCode(part) : markdownText(part)))
    .join("");
}
