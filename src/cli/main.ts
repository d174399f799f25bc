import { parseArgs, type ParseArgsConfig } from "node:util";
import { PlanfileError } from "../errors.js";

/** Exit codes shared by every planfile command; documented in the README. */
export const EXIT = {
  ok: 0,
  /** The input is invalid (validate), or the run failed and was rolled back (run). */
  failed: 1,
  usage: 2,
  rollbackIncomplete: 3,
  awaitingApproval: 4,
  invalidPlan: 5,
  stalePlan: 6,
  /** A resumed run stopped: a non-idempotent step's outcome is unknown after a crash; an operator must decide. */
  outcomeUnknown: 7,
  internal: 70,
  /** Left at a second Ctrl-C: the run (or its rollback) waits for --resume or rollback.ts. */
  interrupted: 130,
} as const;

const CODE_TO_EXIT: Partial<Record<PlanfileError["code"], number>> = {
  USAGE: EXIT.usage,
  MANIFEST_INVALID: EXIT.usage,
  PLAN_INVALID: EXIT.invalidPlan,
  PLAN_STALE: EXIT.stalePlan,
  INTERNAL: EXIT.internal,
};

export function usage(message: string): PlanfileError {
  return new PlanfileError("USAGE", message);
}

/** Parses argv with node:util, turning its errors into usage errors. */
export function parseCli<T extends ParseArgsConfig>(config: T, help: string) {
  try {
    const parsed = parseArgs({
      ...config,
      args: config.args ?? process.argv.slice(2),
      allowPositionals: true,
      strict: true,
    });
    if ((parsed.values as Record<string, unknown>).help) {
      process.stdout.write(`${help.trim()}\n`);
      process.exit(EXIT.ok);
    }
    return parsed;
  } catch (error) {
    throw usage(`${(error as Error).message}\n\n${help.trim()}`);
  }
}

/**
 * Runs a command's body and is the only place an error becomes an exit code.
 * Messages go to stderr; stdout stays clean for data.
 */
export function runMain(body: () => Promise<number | undefined | void>): void {
  body().then(
    (code) => {
      process.exitCode = code ?? EXIT.ok;
    },
    (error: unknown) => {
      if (error instanceof PlanfileError) {
        process.stderr.write(`error [${error.code}]: ${error.message}\n`);
        process.exitCode = CODE_TO_EXIT[error.code] ?? EXIT.failed;
      } else {
        process.stderr.write(
          `internal error (please report this): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
        );
        process.exitCode = EXIT.internal;
      }
    },
  );
}
