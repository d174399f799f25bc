// A plan from a pull request cannot repaint its reviewer's terminal, reorder what they read, or add
// links and images to the PR comment: every rendering of plan text escapes control and format
// characters, and Markdown escapes link syntax.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { markdownCode, markdownText, oneLine, terminalText } from "../../src/review/safe-text.js";
import { formatEvent, summarize } from "../../src/runner/report.js";

const exec = promisify(execFile);
const ESC = "\u001b";
const HOSTILE = `${ESC}[2J${ESC}[1;1Hall good${ESC}]8;;http://evil${ESC}\\ \u009b31m \u202eevil\u202c \u200b`;
const valid = readFileSync("test/fixtures/plans/valid.yaml", "utf8");

/** No raw control, bidi or zero-width character in rendered output (newlines and tabs aside). */
function expectClean(text: string) {
  expect(text).not.toMatch(/(?![\n\t])[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u);
}

async function cli(script: string, args: string[]) {
  const tools = script.endsWith("diff.ts") ? [] : ["--tools", "test/fixtures/tools"];
  return exec(process.execPath, ["--import", "tsx", script, ...tools, ...args]).catch(
    (e: { stdout: string; stderr: string; code: number }) => e,
  );
}

function hostilePlan(): string {
  const d = mkdtempSync(join(tmpdir(), "planfile-safe-text-"));
  const file = join(d, "plan.yaml");
  const text = valid
    .replace(
      "goal: Copy the orders database dump to the migrations bucket",
      `goal: ${JSON.stringify(`${HOSTILE} [click](http://evil.example) ![x](https://evil.example/p.png)`)}`,
    )
    .replace("expectedOutcome: A consistent dump of orders exists.", `expectedOutcome: ${JSON.stringify(HOSTILE)}`)
    .replace(
      "output: {name: orders, region: us-east-1, sizeGb: 40}",
      `output: {name: orders, region: ${JSON.stringify(HOSTILE)}, sizeGb: 40}`,
    );
  writeFileSync(file, text);
  return file;
}

describe("safe text", () => {
  it("shows control, bidi and zero-width characters as visible escapes", () => {
    expect(terminalText(`a${ESC}[31mb\u202ec\nd`)).toBe("a\\x1b[31mb\\u202ec\nd");
    expect(oneLine(`a\n\u0085b\u200bc`)).toBe("a \\x85b\\u200bc");
  });

  it("escapes Markdown links and images, and keeps bare URLs from becoming links", () => {
    const md = markdownText("[click](http://evil) ![img](https://x/p.png) <b>hi</b> a|b");
    expect(md).not.toMatch(/(?<!\\)\]\(/);
    expect(md).not.toMatch(/(?<!\\)!\[/);
    expect(md).toContain("`http://evil)`");
    expect(md).toContain("&lt;b&gt;");
    expect(md).toContain("a\\|b");
  });

  it("fences a code span with more backticks than the text holds, whatever the text", () => {
    expect(markdownCode("plans/``x`.yaml")).toBe("```plans/``x`.yaml```");
    expect(markdownCode(`a${ESC}[2Jb`)).toBe("`a\\x1b[2Jb`");
  });

  it("show (terminal) escapes what the plan supplies", async () => {
    const r = await cli("src/show.ts", [hostilePlan()]);
    expect(r.stdout).toContain("\\x1b[2J");
    expectClean(r.stdout + r.stderr);
  });

  it("show --format markdown escapes it, links included, and puts the file name in a safe code span", async () => {
    const d = mkdtempSync(join(tmpdir(), "planfile-safe-text-"));
    const file = join(d, "we`ird.yaml");
    writeFileSync(file, readFileSync(hostilePlan()));
    const r = await cli("src/show.ts", ["--format", "markdown", file]);
    expectClean(r.stdout);
    expect(r.stdout).toContain(`**File:** \`\`${file}\`\``);
    expect(r.stdout).not.toMatch(/(?<!\\)\]\(http/);
    expect(r.stdout).not.toMatch(/(?<!\\)!\[x/);
  });

  it("validate escapes plan text quoted in its messages", async () => {
    const d = mkdtempSync(join(tmpdir(), "planfile-safe-text-"));
    writeFileSync(join(d, "plan.yaml"), valid.replace("kind: Plan", `kind: Plan\n"${ESC}[2Jhidden": 1`));
    const r = await cli("src/validate.ts", [join(d, "plan.yaml")]);
    expect(r.stdout).toContain("unknown field `\\x1b[2Jhidden`");
    expectClean(r.stdout + r.stderr);
  });

  it("diff escapes changed values, in text and Markdown", async () => {
    const after = hostilePlan();
    for (const format of [[], ["--format", "markdown"]]) {
      const r = await cli("src/diff.ts", [...format, "test/fixtures/plans/valid.yaml", after]);
      expect(r.stdout.length).toBeGreaterThan(0);
      expectClean(r.stdout + r.stderr);
    }
  });

  it("run output escapes tool errors and step text", () => {
    const line = formatEvent({
      type: "step-failed",
      step: "dump",
      durationMs: 3,
      error: { code: "TOOL_FAILED", message: HOSTILE },
    } as Parameters<typeof formatEvent>[0]);
    expectClean(line!);
    const summary = summarize({
      status: "rolled-back",
      runId: "r",
      reason: `step failed: ${HOSTILE}`,
      compensated: [],
      cancelled: false,
      steps: [],
    } as unknown as Parameters<typeof summarize>[0]);
    expectClean(summary);
  });
});
