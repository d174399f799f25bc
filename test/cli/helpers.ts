// Runs planfile's commands as a user does: a child process, from a folder of the test's choosing.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll } from "vitest";

export const REPO = fileURLToPath(new URL("../..", import.meta.url)).replace(/\/$/, "");

export interface Outcome {
  /** null when the process was killed by a signal. */
  code: number | null;
  /** The signal that killed it (SIGKILL in the crash tests), else null. */
  signal: string | null;
  stdout: string;
  stderr: string;
}

const exec = promisify(execFile);

/**
 * `node --import tsx src/<command>.ts …` in the checkout, or, in another folder `cwd`, with tsx
 * named by its path (a bare `tsx` resolves from the current folder).
 */
export function entry(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const inRepo = options.cwd === undefined;
  const loader = inRepo ? "tsx" : pathToFileURL(join(REPO, "node_modules/tsx/dist/loader.mjs")).href;
  const script = inRepo ? `src/${command}.ts` : join(REPO, "src", `${command}.ts`);
  return spawn(process.execPath, ["--import", loader, script, ...args], options);
}

export async function spawn(
  file: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<Outcome> {
  const env = { ...process.env, ...options.env };
  // A model configured in the environment of whoever runs the tests must not change what the planner does.
  if (!options.env?.OPENAI_API_KEY) delete env.OPENAI_API_KEY;
  if (!options.env?.OPENAI_BASE_URL) delete env.OPENAI_BASE_URL;
  return exec(file, args, { cwd: options.cwd ?? REPO, env, encoding: "utf8", maxBuffer: 16 * 1024 * 1024 }).then(
    (r) => ({ code: 0, signal: null, stdout: r.stdout, stderr: r.stderr }),
    (e: Outcome) => ({ code: e.code, signal: e.signal ?? null, stdout: e.stdout, stderr: e.stderr }),
  );
}

/** A temp folder removed after the test file. */
export function tempDir(prefix = "planfile-cli-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export const GOAL = "Migrate the orders database from us-east-1 to eu-west-1";
