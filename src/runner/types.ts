import type { Registry } from "../registry/registry.js";
import type { RunStore } from "../store/types.js";
import type { Problem } from "../schema/source.js";
import type { Step } from "../schema/types.generated.js";
import type { ErrorInfo, EventListener } from "./events.js";
import type { AskOutcome, OutcomeAnswer } from "./outcome.js";
import type { UnknownStep } from "./reconcile.js";
import type { DriftItem } from "./staleness.js";

/** What one step came to. */
export type StepOutcome =
  | { status: "completed"; output: unknown; durationMs: number; reused: boolean }
  | { status: "failed"; error: ErrorInfo; durationMs: number }
  | { status: "skipped"; reason: string }
  | { status: "not-started" };

/** A completed step that nothing can undo (`irreversible`, or `none` on a destructive tool): named, never passed over in silence. */
export interface Irreversible {
  step: string;
  tool: string;
  reason: string;
}

/** One compensation that rollback could not complete, so an operator knows what is left. */
export interface Remaining {
  step: string;
  tool: string;
  error: ErrorInfo;
}

interface Ran {
  runId: string;
  digest: string;
  steps: Record<string, StepOutcome>;
}

export type RunResult =
  | ({ status: "succeeded"; dryRun: boolean; outputs: Record<string, unknown> } & Ran)
  | ({
      status: "rolled-back";
      reason: string;
      failedStep?: string;
      error?: ErrorInfo;
      cancelled: boolean;
      compensated: string[];
    } & Ran)
  | ({
      /** Everything that could be undone was; `irreversible` names what could not. */
      status: "partially-rolled-back";
      reason: string;
      failedStep?: string;
      error?: ErrorInfo;
      cancelled: boolean;
      compensated: string[];
      irreversible: Irreversible[];
    } & Ran)
  | ({
      status: "rollback-incomplete";
      reason: string;
      failedStep?: string;
      error?: ErrorInfo;
      compensated: string[];
      remaining: Remaining[];
      irreversible?: Irreversible[];
    } & Ran)
  | ({ status: "awaiting-approval"; pending: string[] } & Ran)
  | ({ status: "rejected"; rejected: string[]; by: string } & Ran)
  /** A resumed run stopped: these steps were interrupted and either nobody can tell whether they happened, or they happened and their output is lost. */
  | ({ status: "outcome-unknown"; unknown: UnknownStep[] } & Ran)
  | ({ status: "stale"; diffs: DriftItem[] } & Ran)
  | { status: "digest-mismatch"; runId: string; approved: string; given: string }
  | { status: "invalid"; problems: Problem[] };

export type RunStatus = RunResult["status"];

/** A risky step as shown to whoever approves it; args are the plan's, secrets unresolved. */
export type RiskyStepView = Pick<Step, "id" | "tool" | "description" | "args" | "expectedOutcome" | "rollback"> & {
  /** The tool's effect from the registry, or "unknown". */
  effect: string;
};

export interface ConfirmRequest {
  runId: string;
  digest: string;
  planName: string;
  step: RiskyStepView;
  /** Asked just before the step runs; its args are resolved (secrets redacted). */
  atStep?: boolean;
}

/** `true`/`false`, or who decided (journaled as `by`). */
export type ConfirmAnswer = boolean | { approved: boolean; by: string };
export type Confirm = (request: ConfirmRequest) => Promise<ConfirmAnswer>;

export interface RunOptions {
  registry: Registry;
  /** Where runs live; default `<registry.stateDir>/runs`. */
  runsDir?: string;
  /** Where journals, locks and approvals live; default the files under `runsDir`. */
  store?: RunStore;
  /** Generated once when absent; inject it in tests. */
  runId?: string;
  /** Continue the run `runId` from its journal. */
  resume?: boolean;
  /** Asked once per risky step that is not pre-approved. Without it, unapproved steps stop the run before anything runs. */
  confirm?: Confirm;
  /** When `confirm` asks: all risky steps before anything runs (default), or each just before it runs, its arguments resolved. */
  confirmAt?: "upfront" | "step";
  /** Answers about interrupted calls whose outcome no probe can tell (`--resolve step=…`). */
  resolve?: Readonly<Record<string, OutcomeAnswer>>;
  /** Asks the operator about such a call (a TTY prompt); without it, an unsettled outcome stops the run. */
  askOutcome?: AskOutcome;
  /** Risky steps approved up front (`--approve a,b` or `--yes` = "all"). */
  approve?: string[] | "all";
  /** Who approves with `approve`; journaled. */
  approvedBy?: string;
  signal?: AbortSignal;
  onEvent?: EventListener;
  /** A cap on steps running at once; by default none (each tool kind keeps its own limit, see limits.ts). */
  concurrency?: number;
  dryRun?: boolean;
  allowDrift?: boolean;
  /** Where `${{ secrets.X }}` come from; default process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Base of the exponential backoff between retries; default 200 ms. */
  retryDelayMs?: number;
  /** Retries of idempotent tools when a step does not say; default 2. */
  defaultRetries?: number;
  /**
   * `effects` (default): a non-idempotent step's intent is durable (fdatasync) before its call, and its result before
   * the run reports it or starts anything that depends on it; other lines are written at once (they survive a killed
   * process) and made durable by the next sync, the run's end at the latest. `always`: every step as if it were not
   * idempotent, and every line asks for a sync. Syncs are group commits, off the event loop, in both modes.
   */
  durability?: "always" | "effects";
  /** Re-run these steps on resume even though their outcome is unknown (the operator checked that they did not happen). */
  rerunUnknown?: string[];
  /** Where the plan came from, journaled for `runs show`. */
  planFile?: string;
  now?: () => Date;
}
