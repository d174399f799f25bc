import { execFile } from "node:child_process";
import { copyFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadRegistry, type Registry } from "../../src/registry/index.js";
import { compareFiles, compareWithRevision } from "../../src/review/compare.js";
import { showPlan } from "../../src/review/show.js";

const exec = promisify(execFile);
const cli = (script: string, ...args: string[]) =>
  exec("npx", ["tsx", resolve(`src/${script}.ts`), ...args]).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
const BEFORE = "test/fixtures/review/before.yaml";
const AFTER = "test/fixtures/review/after.yaml";

let registry: Registry;
let tmp: string;
beforeAll(async () => {
  registry = await loadRegistry({ toolsDir: "test/fixtures/tools" });
  tmp = await mkdtemp(join(tmpdir(), "planfile-review-"));
});
afterAll(async () => {
  await registry.close();
  await rm(tmp, { recursive: true, force: true });
});
const placeholder = (text: string) => text.replaceAll(tmp, "<tmp>");

describe("show", () => {
  it("renders a plan for the terminal", async () => {
    const shown = await showPlan(AFTER, { format: "text", registry });
    expect(shown.ok && shown.output).toMatchSnapshot();
  });

  it("renders a plan as a Markdown PR comment with a Mermaid graph", async () => {
    const shown = await showPlan(AFTER, { format: "markdown", registry });
    expect(shown.ok && shown.output).toMatchSnapshot();
  });

  it("refuses an invalid plan with its located problems", async () => {
    const shown = await showPlan("test/fixtures/plans/broken.yaml", { format: "text", registry });
    expect(shown.ok).toBe(false);
    expect(!shown.ok && shown.problems.map((p) => `${p.line}:${p.col} ${p.rule}`)).toContain("8:11 unknown-tool");
  });

  it("with validation off, renders a schema-valid plan and lists its problems", async () => {
    const shown = await showPlan("test/fixtures/plans/broken.yaml", { format: "markdown", validate: false, registry });
    expect(shown.ok && shown.output).toContain("> [!WARNING]");
    expect(shown.ok && shown.output).toContain(
      "`test/fixtures/plans/broken.yaml:8:11` step `dump` uses unknown tool `demo.db.dmp`",
    );
  });

  it("CLI: exit 5 and file:line:col on stderr for an invalid plan; exit 2 for a bad --format", async () => {
    const bad = await cli("show", "--tools", "test/fixtures/tools", "test/fixtures/plans/broken.yaml");
    expect(bad.code).toBe(5);
    expect(bad.stderr).toContain("test/fixtures/plans/broken.yaml:8:11  step `dump` uses unknown tool `demo.db.dmp`");
    expect(bad.stderr).toContain("or pass --no-validate");
    expect((await cli("show", "--format", "html", BEFORE)).code).toBe(2);
  });
});

describe("diff", () => {
  it("describes behavioural changes as text", async () => {
    const result = await compareFiles(BEFORE, AFTER, "text");
    expect(result.ok && result.output).toMatchSnapshot();
  });

  it("describes behavioural changes as Markdown", async () => {
    const result = await compareFiles(BEFORE, AFTER, "markdown");
    expect(result.ok && result.output).toMatchSnapshot();
  });

  it("says so when a re-rendered plan has no behavioural change", async () => {
    const copy = join(tmp, "copy.yaml");
    await writeFile(
      copy,
      `# a comment\n${(await readFile(BEFORE, "utf8")).replace("  - id: dump\n", "  - id: dump\n    description: reformatted\n")}`,
    );
    const result = await compareFiles(BEFORE, copy, "text");
    expect(result.ok && result.changes).toEqual([]);
    expect(result.ok && result.output).toContain("no behavioural change");
  });

  it("CLI: exit 0 by default, 1 with --exit-code when something changed, 5 for a non-plan", async () => {
    expect((await cli("diff", BEFORE, AFTER)).code).toBe(0);
    expect((await cli("diff", "--exit-code", BEFORE, AFTER)).code).toBe(1);
    expect((await cli("diff", "--exit-code", BEFORE, BEFORE)).code).toBe(0);
    const junk = join(tmp, "junk.yaml");
    await writeFile(junk, "apiVersion: planfile/v1\nkind: Plan\n");
    const bad = await cli("diff", BEFORE, junk);
    expect(bad.code).toBe(5);
    expect(placeholder(bad.stderr)).toContain("<tmp>/junk.yaml:1:1  the document is missing required field `metadata`");
  });
});

describe("diff --base (git)", () => {
  const git = (repo: string, ...args: string[]) =>
    exec("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false", ...args], {
      cwd: repo,
    });

  it("compares a file with itself at a revision; a file new since then is all added", async () => {
    const repo = join(tmp, "repo");
    await exec("mkdir", ["-p", join(repo, "plans")]);
    await git(repo, "init", "-q");
    const plan = join(repo, "plans", "x.yaml");
    await copyFile(BEFORE, plan);
    await git(repo, "add", ".");
    await git(repo, "commit", "-qm", "plan");
    await copyFile(AFTER, plan);
    const fresh = join(repo, "plans", "new.yaml");
    await copyFile(BEFORE, fresh);

    const changed = await compareWithRevision("HEAD", plan, "text");
    expect(changed.ok && changed.changes.map((c) => c.kind)).toContain("step-added");
    expect(changed.ok && placeholder(changed.output).split("\n")[0]).toBe(
      "<tmp>/repo/plans/x.yaml: 12 behavioural changes (<tmp>/repo/plans/x.yaml@HEAD → <tmp>/repo/plans/x.yaml)",
    );

    const added = await compareWithRevision("HEAD", fresh, "text");
    expect(added.ok && added.changes.map((c) => c.kind)).toEqual([
      "context-added",
      "step-added",
      "step-added",
      "step-added",
    ]);
    expect(added.ok && added.output).toContain("@HEAD (absent)");

    const cliRun = await cli("diff", "--base", "HEAD", "--format", "markdown", "--exit-code", plan);
    expect(cliRun.code).toBe(1);
    expect(cliRun.stdout).toContain("**Steps added**\n\n- `verify` (`demo.storage.put`) after `upload`");

    const badRev = await cli("diff", "--base", "no-such-rev", plan);
    expect(badRev.code).toBe(2);
    expect(badRev.stderr).toContain("at revision no-such-rev");
  });
});
