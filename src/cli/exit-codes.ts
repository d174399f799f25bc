/**
 * The one list of exit codes. Every command maps each kind of problem to the
 * same code; the README's table is checked against `EXIT_CODES` by a test, so
 * the two cannot drift.
 */
export const EXIT = {
  ok: 0,
  /** The command did its job and the answer is no: a run failed (and was rolled back), no plan could be made, a diff changed with --exit-code, an eval failed. */
  failed: 1,
  /** The command could not start: bad flags or arguments, a file or run that does not exist, a broken config, manifest or method file, a missing secret. */
  usage: 2,
  rollbackIncomplete: 3,
  /** Nothing ran: approval is missing, or the operator said no (also Ctrl-C or end of input at a prompt). */
  awaitingApproval: 4,
  invalidPlan: 5,
  stalePlan: 6,
  /** A resumed run stopped: a step's outcome is unknown after a crash; an operator must decide. */
  outcomeUnknown: 7,
  /** The run failed and everything that could be undone was, but a completed step cannot be undone (it is named). */
  partiallyRolledBack: 8,
  internal: 70,
  /** Interrupted by a signal (128 + SIGINT): the run is left as it was, for `--resume` or `rollback`. */
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The README's table, row by row. */
export const EXIT_CODES: readonly { code: ExitCode; meaning: string }[] = [
  { code: EXIT.ok, meaning: "success" },
  {
    code: EXIT.failed,
    meaning:
      "the answer is no: the run failed (or was cancelled, or a step was rejected at `--confirm step`) and was rolled back; `plan`: no valid plan could be made; `diff --exit-code`: behaviour changed; `eval`: a test failed",
  },
  {
    code: EXIT.usage,
    meaning:
      "nothing was done: unknown command or flag, bad value, missing file or run, invalid `planfile.config.json`, broken tool manifest or method, missing secret, run in use",
  },
  { code: EXIT.rollbackIncomplete, meaning: "rollback incomplete (`planfile rollback <run-id>` resumes it)" },
  {
    code: EXIT.awaitingApproval,
    meaning:
      "awaiting approval, or rejected (also Ctrl-C or end of input at a prompt): nothing ran; `rollback`: not confirmed, nothing undone",
  },
  {
    code: EXIT.invalidPlan,
    meaning: "invalid plan (`validate`, `show`, `diff`, `run`), or not the plan approved for this run",
  },
  { code: EXIT.stalePlan, meaning: "stale plan: the world changed since planning" },
  {
    code: EXIT.outcomeUnknown,
    meaning: "outcome unknown after a crash: an operator must decide (`--resolve`, or the prompt)",
  },
  {
    code: EXIT.partiallyRolledBack,
    meaning:
      "the run failed and was rolled back except for irreversible steps, which it names (`irreversible:`, or `none` on a destructive step)",
  },
  { code: EXIT.internal, meaning: "internal error (a bug in planfile; please report it)" },
  {
    code: EXIT.interrupted,
    meaning: "interrupted (a second Ctrl-C): the run is left for `planfile run --resume` or `planfile rollback`",
  },
];
