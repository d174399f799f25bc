/**
 * What every entry file shares: argument parsing, the exit-code table, and
 * `runMain`, the only place where an error becomes an exit code. User-facing
 * text goes to stderr; stdout stays clean for data. This module loads nothing
 * heavy, so `--help` answers before any library is imported.
 */
import { existsSync } from "node:fs";
import { CONFIG_FILE } from "../config/file.js";
import { PlanfileError, type ErrorCode } from "../errors.js";
import { EXIT } from "./exit-codes.js";
import { usage } from "./args.js";
import { localizeHints } from "./invocation.js";

export { EXIT, EXIT_CODES } from "./exit-codes.js";
export { parseCli, usage } from "./args.js";
export { commandLine, hint, localizeHints } from "./invocation.js";

/** Each kind of problem has one exit code, whichever command meets it. */
const CODE_TO_EXIT: Partial<Record<ErrorCode, number>> = {
  USAGE: EXIT.usage,
  CONFIG_INVALID: EXIT.usage,
  MANIFEST_INVALID: EXIT.usage,
  METHOD_INVALID: EXIT.usage,
  SCENARIO_INVALID: EXIT.usage,
  RUN_NOT_FOUND: EXIT.usage,
  RUN_BUSY: EXIT.usage,
  STORE_UNAVAILABLE: EXIT.failed,
  SECRET_MISSING: EXIT.usage,
  PLAN_INVALID: EXIT.invalidPlan,
  PLAN_STALE: EXIT.stalePlan,
  CANCELLED: EXIT.interrupted,
  INTERNAL: EXIT.internal,
};

/** The exit code for an error thrown out of a command. */
export function exitCodeFor(error: unknown): number {
  if (error instanceof PlanfileError) return CODE_TO_EXIT[error.code] ?? EXIT.failed;
  return EXIT.internal;
}

/**
 * Every command refuses a broken planfile.config.json in the current folder
 * (exit 2, with its place), whether or not it reads the setting in error: a typo
 * there must not wait for the day a command needs it. Loaded only if present.
 */
export async function checkConfig(): Promise<void> {
  if (!existsSync(CONFIG_FILE)) return;
  const { loadConfig } = await import("../config/load.js");
  loadConfig(CONFIG_FILE);
}

/** A plan's problem as every command prints it: `file:line:col  message  [rule]`. */
export function problemLine(p: { file: string; line: number; col: number; message: string; rule: string }): string {
  return `${p.file}:${p.line}:${p.col}  ${p.message}  [${p.rule}]`;
}

/** The formats `show` and `diff` render; anything else is a usage error. */
export function reviewFormat(value: string | undefined): "text" | "markdown" | "json" {
  if (value === "text" || value === "markdown" || value === "json") return value;
  throw usage(`--format ${value}: expected text, markdown or json`);
}

/** Text for people, on stderr, with hints spelled the way the user invoked us. */
export function say(text: string): void {
  process.stderr.write(`${localizeHints(text)}${text.endsWith("\n") ? "" : "\n"}`);
}

/**
 * Runs a command's body and is the only place an error becomes an exit code.
 * Messages go to stderr; stdout stays clean for data.
 */
export function runMain(body: () => Promise<number | undefined | void>): void {
  // A closed pipe (`| head`) is the reader's choice, not our error.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
  });
  body().then(
    (code) => {
      process.exitCode = code ?? EXIT.ok;
    },
    (error: unknown) => {
      process.exitCode = exitCodeFor(error);
      if (error instanceof PlanfileError) say(`error [${error.code}]: ${error.message}`);
      else
        process.stderr.write(
          `internal error (please report this): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
        );
    },
  );
}
