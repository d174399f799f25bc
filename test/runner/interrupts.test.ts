// Ctrl-C and Ctrl-D as a person at a terminal presses them: the CLI runs in a real pseudo-terminal
// (python3's pty module) and gets the real bytes ^C (0x03) and ^D (0x04), under each way the README
// starts it. A step that waits for a gate file lets the test press keys while it runs, with no timers.
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { readLog } from "../fixtures/runner/tools/counter-handlers.js";
import { loadRun } from "../../src/runner/index.js";
import { CTRL_C, CTRL_D, terminal } from "../support/pty.js";
import { tempDir } from "./helpers.js";

const exec = promisify(execFile);
const TOOLS = "test/fixtures/runner/tools";
const GATED = "test/fixtures/runner/counter-gated.yaml";
const RISKY = "test/fixtures/runner/counter-plan.yaml";
const ESC = String.fromCharCode(27);

// The installed command (npm pack → npm install) is driven the same way in test/cli/installed.test.ts,
// which already has the package installed.
const launchers = {
  "npx tsx": (script: string) => ["npx", "tsx", `src/${script}.ts`],
  "node --import tsx": (script: string) => [process.execPath, "--import", "tsx", `src/${script}.ts`],
  // The planfile command (package.json bin), as it runs in a checkout.
  "node bin/planfile.js": (script: string) => [process.execPath, "bin/planfile.js", script],
} as const;
/** How hints spell each launcher's command. */
const spelled = (launcher: Launcher, script: string) =>
  launcher === "node bin/planfile.js" ? `${launcher} ${script}` : `${launcher} src/${script}.ts`;
type Launcher = keyof typeof launchers;

const runArgs = (state: string, ...rest: string[]) => [
  "--tools",
  TOOLS,
  "--state-dir",
  state,
  "--run-id",
  "t",
  ...rest,
];
const gate = (state: string, tag: string) => join(state, "ctr", `open-${tag}`);
const count = (log: string[], line: string) => log.filter((l) => l === line).length;

describe("Ctrl-C and Ctrl-D at a confirmation prompt", { timeout: 180_000 }, () => {
  for (const [key, name] of [
    [CTRL_C, "Ctrl-C"],
    [CTRL_D, "Ctrl-D"],
  ] as const) {
    it(`${name} rejects cleanly: nothing ran, exit 4, and the run is recorded as rejected`, async () => {
      const state = tempDir();
      const screen = await terminal(
        [...launchers["node --import tsx"]("run"), ...runArgs(state, RISKY)],
        [{ expect: "Run step `last`\\? \\[y/N\\]" }, { send: key }],
      );
      expect(screen.code).toBe(4);
      expect(screen.output).toContain("rejected by");
      expect(screen.output).toContain("nothing ran (last)");
      expect(readLog(state)).toEqual([]);
      expect(loadRun(join(state, "runs"), "t").status).toBe("rejected");
    });
  }
});

describe("Ctrl-C during a run", { timeout: 180_000 }, () => {
  for (const launcher of Object.keys(launchers) as Launcher[]) {
    it(`under \`${launcher}\`: one press lets the running step finish, then rolls back (exit 1)`, async () => {
      const state = tempDir();
      const screen = await terminal(
        [...launchers[launcher]("run"), ...runArgs(state, GATED)],
        [
          { expect: "hold +running" },
          { send: CTRL_C },
          { expect: "interrupted: letting running steps finish, then rolling back" },
          { touch: gate(state, "hold") },
        ],
      );
      expect(screen.code).toBe(1);
      expect(screen.output).toContain("cancelled and rolled back");
      expect(screen.output).toContain("undone: hold, first");
      // hold finished (it was running), last never started, and both are undone.
      expect(readLog(state)).toEqual(["+first", "+hold", "-hold", "-first"]);
      // The live table redraws over exactly its own rows: no ^C echoed into it, no row wrapped.
      expect(screen.output).not.toContain("^C");
      expect(new Set(screen.output.match(new RegExp(`${ESC}\\[\\d+A`, "g")))).toEqual(new Set([`${ESC}[3A`]));
    });

    it(`under \`${launcher}\`: a second press leaves at once (exit 130) and prints how to go on, as invoked`, async () => {
      const state = tempDir();
      const screen = await terminal(
        [...launchers[launcher]("run"), ...runArgs(state, GATED)],
        [{ expect: "hold +running" }, { send: CTRL_C }, { expect: "Ctrl-C again to leave now" }, { send: CTRL_C }],
      );
      expect(screen.code).toBe(130);
      const goOn = screen.output.match(/to go on: +(.*)\r?\n/)?.[1]?.trim();
      expect(goOn).toBe(`${spelled(launcher, "run")} --state-dir ${state} --tools ${TOOLS} --resume t`);
      expect(screen.output).toContain(
        `to undo:   ${spelled(launcher, "rollback")} --state-dir ${state} --tools ${TOOLS} t`,
      );
      expect(existsSync(join(state, "runs", "t", "lock"))).toBe(false);
      // The printed command works: hold's probe says it did not happen, so it runs (gate open) and the run ends.
      const resumed = await terminal(
        goOn!.split(" ").map((a) => (a === "node" ? process.execPath : a)),
        [{ touch: gate(state, "hold") }],
      );
      expect(resumed.code).toBe(0);
      expect(readLog(state)).toEqual(["+first", "+hold", "+last"]);
    });
  }
});

describe("approval at the step (--confirm step)", { timeout: 180_000 }, () => {
  it("asks just before the risky step runs, with its arguments resolved, and journals the answer", async () => {
    const state = tempDir();
    const screen = await terminal(
      [...launchers["node --import tsx"]("run"), ...runArgs(state, "--confirm", "step", RISKY)],
      [{ expect: "Run step `last`\\? \\[y/N\\]" }, { send: "y\r" }],
    );
    expect(screen.code).toBe(0);
    // Asked after left and right ran: the tag is their outputs joined, not a ${{ }} template.
    expect(screen.output).toMatch(/About to run risky step `last`[\s\S]*tag: left-right/);
    const journal = readFileSync(join(state, "runs", "t", "journal.ndjson"), "utf8");
    expect(journal).toMatch(
      /"t":"approved","steps":\["last"\],"by":"[^"]+","digest":"[^"]+","via":"prompt","atStep":true,"args":\{"tag":"left-right"\}/,
    );
    expect(count(readLog(state), "+left-right")).toBe(1);
  });

  it("a no at the step stops there and rolls back what ran", async () => {
    const state = tempDir();
    const screen = await terminal(
      [...launchers["node --import tsx"]("run"), ...runArgs(state, "--confirm", "step", RISKY)],
      [{ expect: "Run step `last`\\? \\[y/N\\]" }, { send: "n\r" }],
    );
    expect(screen.code).toBe(1);
    expect(screen.output).toContain("rejected by");
    expect(count(readLog(state), "+left-right")).toBe(0);
    for (const t of ["first", "left", "right"]) expect(count(readLog(state), `-${t}`)).toBe(1);
  });
});

describe("rollback.ts on a terminal", { timeout: 180_000 }, () => {
  it("shows what it will undo and asks; no (or Ctrl-C) undoes nothing, yes undoes it", async () => {
    const state = tempDir();
    await exec(process.execPath, ["--import", "tsx", "src/run.ts", ...runArgs(state, "--yes", RISKY)]);
    const rollback = [...launchers["node --import tsx"]("rollback"), "--tools", TOOLS, "--state-dir", state, "t"];
    const no = await terminal(rollback, [{ expect: "Undo run t\\? \\[y/N\\]" }, { send: CTRL_C }]);
    expect(no.code).toBe(4);
    expect(no.output).toMatch(/↺ last: ctr\.remove\s+tag: left-right/);
    expect(no.output).toContain("nothing was undone");
    expect(readLog(state).filter((l) => l.startsWith("-"))).toEqual([]);
    const yes = await terminal(rollback, [{ expect: "Undo run t\\? \\[y/N\\]" }, { send: "y\r" }]);
    expect(yes.code).toBe(0);
    // Reverse order of completion: last first, first last (left and right ran side by side, in either order).
    const undone = readLog(state).filter((l) => l.startsWith("-"));
    expect([undone[0], undone[3], [undone[1], undone[2]].sort()]).toEqual([
      "-left-right",
      "-first",
      ["-left", "-right"],
    ]);
  });
});
