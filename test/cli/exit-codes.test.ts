// The README's exit-code table is the list in src/cli/exit-codes.ts, row for row.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { EXIT, EXIT_CODES } from "../../src/cli/exit-codes.js";

function readmeTable(): { code: number; meaning: string }[] {
  const readme = readFileSync("README.md", "utf8");
  const section = readme.slice(readme.indexOf("#### Exit codes (every command)"));
  const rows = section.split("\n").filter((l) => /^\| \d+ /.test(l));
  return rows.map((l) => {
    const [code, meaning] = l
      .split("|")
      .slice(1, -1)
      .map((c) => c.trim());
    return { code: Number(code), meaning: meaning! };
  });
}

describe("exit codes", () => {
  it("the README's table lists every code with the same meaning", () => {
    expect(readmeTable()).toEqual(EXIT_CODES.map((r) => ({ code: r.code, meaning: r.meaning })));
  });

  it("every code of EXIT is in the table, once", () => {
    const codes = EXIT_CODES.map((r) => r.code);
    expect(new Set(codes).size).toBe(codes.length);
    expect([...codes].sort((a, b) => a - b)).toEqual(Object.values(EXIT).sort((a, b) => a - b));
  });
});
