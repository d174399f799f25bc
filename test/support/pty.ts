// A command in a real pseudo-terminal (test/support/pty-drive.py), driven by a script of keystrokes
// that waits for what the screen shows before each key: no timers decide anything.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { expect } from "vitest";

const exec = promisify(execFile);

export const CTRL_C = "\u0003";
export const CTRL_D = "\u0004";

export type Keystroke = { expect: string } | { send: string } | { touch: string };

export interface Screen {
  code: number | null;
  signal: number | null;
  output: string;
  failed: string | null;
}

/** Runs `argv` on a terminal through `script`; fails the test if a step timed out or the CLI crashed. */
export async function terminal(
  argv: string[],
  script: Keystroke[],
  options: { cwd?: string; env?: Record<string, string>; timeoutSeconds?: number } = {},
): Promise<Screen> {
  const spec = { argv, script, timeout: options.timeoutSeconds ?? 90, cwd: options.cwd, env: options.env };
  const driver = new URL("./pty-drive.py", import.meta.url).pathname;
  const { stdout } = await exec("python3", [driver, JSON.stringify(spec)], { maxBuffer: 16 * 1024 * 1024 });
  const screen = JSON.parse(stdout) as Screen;
  expect(screen.failed, screen.output).toBeNull();
  expect(screen.output).not.toContain("internal error");
  return screen;
}
