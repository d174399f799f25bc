// The installable CLI as a user gets it: `npm pack` (which builds dist/ through `prepack`), then
// `npm install <tarball>` in an empty folder, then the `planfile` command from another folder.
// npm resolves the dependencies from its cache (--prefer-offline), asking the registry only for
// what the cache lacks. Built and installed once for the whole file.
import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { COMMANDS } from "../../src/cli/commands.js";
import { readLog } from "../fixtures/runner/tools/counter-handlers.js";
import { CTRL_C, terminal } from "../support/pty.js";
import { GOAL, REPO, spawn, tempDir } from "./helpers.js";

const exec = promisify(execFile);
const root = tempDir("planfile-installed-");
const prefix = join(root, "project");
const work = join(root, "work");
const planfile = join(prefix, "node_modules", ".bin", "planfile");
const run = (...args: string[]) => spawn(planfile, args, { cwd: work });

beforeAll(async () => {
  mkdirSync(prefix);
  mkdirSync(work);
  const { stdout } = await exec("npm", ["pack", "--silent", "--pack-destination", root], {
    cwd: REPO,
    maxBuffer: 16 * 1024 * 1024,
  });
  const tarball = join(root, stdout.trim().split("\n").at(-1)!);
  await exec("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts", tarball], {
    cwd: prefix,
    maxBuffer: 16 * 1024 * 1024,
  });
}, 600_000);

describe("the installed planfile command", { timeout: 180_000 }, () => {
  it("is compiled JavaScript: the package ships dist/, not the TypeScript sources", () => {
    const pkg = join(prefix, "node_modules", "planfile");
    expect(existsSync(join(pkg, "dist", "src", "planfile.js"))).toBe(true);
    expect(existsSync(join(pkg, "src"))).toBe(false);
    expect(readdirSync(join(pkg, "dist", "tools", "sandbox"))).toContain("db.js");
  });

  it("--help lists every command", async () => {
    const { code, stdout } = await run("--help");
    expect(code).toBe(0);
    for (const name of Object.keys(COMMANDS)) expect(stdout).toMatch(new RegExp(`^  ${name} +\\S`, "m"));
  });

  it('plan "<goal>" works from an empty folder: tools come with the package, state goes to the folder', async () => {
    const { code, stdout, stderr } = await run("plan", GOAL);
    expect(code, stderr).toBe(0);
    expect(stdout).toContain("kind: Plan");
    expect(stdout).toContain("tool: sandbox.db.create");
    expect(stderr).toMatch(/^planned 9 steps/);
    expect(existsSync(join(work, ".planfile", "sandbox", "world.json"))).toBe(true);
  });

  it("validates, and its hints name `planfile`", async () => {
    expect((await run("plan", GOAL, "-o", "plans/migrate.yaml")).code).toBe(0);
    expect((await run("validate", "plans/migrate.yaml")).code).toBe(0);
    const ran = await run("run", "plans/migrate.yaml");
    expect(ran.code).toBe(4);
    expect(`${ran.stdout}${ran.stderr}`).toMatch(/then: planfile run --resume \S+ --approve freeze,cutover/);
  });

  it("validate starts warm in a new folder: the package ships its checked manifests and compiled validators", async () => {
    const fresh = join(root, "fresh");
    mkdirSync(join(fresh, "plans"), { recursive: true });
    cpSync(join(REPO, "plans", "migrate-orders.yaml"), join(fresh, "plans", "migrate-orders.yaml"));
    const cache = join(root, "user-cache");
    const { code, stdout, stderr } = await spawn(planfile, ["validate", "plans/migrate-orders.yaml"], {
      cwd: fresh,
      env: { XDG_CACHE_HOME: cache },
    });
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/^plans\/migrate-orders\.yaml {2}valid {2}9 steps/);
    // Manifests and compiled validators came from dist/cache/: the only entry written is the plan's own data,
    // in the user's cache, never in the folder.
    expect(readdirSync(join(cache, "planfile"))).toEqual(["yaml"]);
    expect(existsSync(join(fresh, ".planfile"))).toBe(false);
  });

  it("through npx, the hints say npx planfile", async () => {
    const { code, stdout, stderr } = await spawn("npx", ["planfile", "run", join(work, "plans/migrate.yaml")], {
      cwd: prefix,
    });
    expect(code).toBe(4);
    expect(`${stdout}${stderr}`).toMatch(/then: npx planfile run --resume \S+ --approve freeze,cutover/);
  });

  it("every command answers --help; an unknown one gets a did-you-mean", async () => {
    for (const name of Object.keys(COMMANDS)) {
      const { code, stdout } = await run(name, "--help");
      expect(code, name).toBe(0);
      expect(stdout, name).toMatch(new RegExp(`^Usage: planfile ${name}\\b`));
    }
    const typo = await run("valdiate");
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain("unknown command `valdiate`; did you mean `validate`?");
  });

  it("eval says it needs a checkout, instead of failing obscurely", async () => {
    const { code, stderr } = await run("eval");
    expect(code).toBe(2);
    expect(stderr).toContain("the eval suite runs from a checkout of planfile");
  });
});

// Ctrl-C as a person presses it, in a real pseudo-terminal (test/support/pty.ts), for the installed
// command: the same cases test/runner/interrupts.test.ts runs under `npx tsx`, `node --import tsx`
// and the checkout's bin. The plan's middle step waits for a gate file the test creates only after
// the screen shows the interrupt was seen, so no timer decides the outcome. The fixture's handlers
// are TypeScript, as a user's own may be: the compiled command loads them through tsx.
describe("Ctrl-C in the installed planfile command", { timeout: 240_000 }, () => {
  const tools = join(REPO, "test/fixtures/runner/tools");
  const gated = join(REPO, "test/fixtures/runner/counter-gated.yaml");
  const bin = join(prefix, "node_modules", ".bin");
  const onTerminal = (args: string[], script: Parameters<typeof terminal>[1]) =>
    terminal(args, script, { cwd: work, env: { PATH: `${bin}:${process.env.PATH}` } });
  const start = (state: string) => [planfile, "run", "--tools", tools, "--state-dir", state, "--run-id", "t", gated];
  const gate = (state: string) => join(state, "ctr", "open-hold");

  it("one press lets the running step finish, then rolls back (exit 1)", async () => {
    const state = tempDir("planfile-installed-ctrl-c-");
    const screen = await onTerminal(start(state), [
      { expect: "hold +running" },
      { send: CTRL_C },
      { expect: "interrupted: letting running steps finish, then rolling back" },
      { touch: gate(state) },
    ]);
    expect(screen.code, screen.output).toBe(1);
    expect(screen.output).toContain("cancelled and rolled back");
    expect(screen.output).toContain("undone: hold, first");
    expect(readLog(state)).toEqual(["+first", "+hold", "-hold", "-first"]);
    // The live table redraws over exactly its own rows: no ^C echoed into it.
    expect(screen.output).not.toContain("^C");
    const esc = String.fromCharCode(27);
    expect(new Set(screen.output.match(new RegExp(`${esc}\\[\\d+A`, "g")))).toEqual(new Set([`${esc}[3A`]));
  });

  it("a second press leaves at once (exit 130); the printed `planfile run --resume` finishes the run", async () => {
    const state = tempDir("planfile-installed-ctrl-c-");
    const screen = await onTerminal(start(state), [
      { expect: "hold +running" },
      { send: CTRL_C },
      { expect: "Ctrl-C again to leave now" },
      { send: CTRL_C },
    ]);
    expect(screen.code, screen.output).toBe(130);
    const goOn = screen.output.match(/to go on: +(.*)\r?\n/)?.[1]?.trim();
    expect(goOn).toBe(`planfile run --state-dir ${state} --tools ${tools} --resume t`);
    expect(screen.output).toContain(`to undo:   planfile rollback --state-dir ${state} --tools ${tools} t`);
    expect(existsSync(join(state, "runs", "t", "lock"))).toBe(false);
    // Pasted as printed (planfile on PATH): hold's probe says it did not happen, so it runs again and the run ends.
    const resumed = await onTerminal(goOn!.split(" "), [{ touch: gate(state) }]);
    expect(resumed.code, resumed.output).toBe(0);
    expect(readLog(state)).toEqual(["+first", "+hold", "+last"]);
  });
});
