/**
 * A run as its journal tells it: folding the lines in order gives what
 * completed (and in which order), what failed, and what was in flight when the
 * process died. Resume, rollback and `runs` all start here.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Plan } from "../schema/types.generated.js";
import type { ErrorInfo } from "./events.js";
import { didYouMean } from "../cli/did-you-mean.js";
import { JOURNAL_FILE, listRunIds, readJournal, type JournalEntry } from "./journal.js";
import { RunnerError } from "./runner-error.js";
import type { RunStatus } from "./types.js";

export interface RunState {
  runId: string;
  digest: string;
  plan: Plan;
  planFile?: string;
  dryRun: boolean;
  startedAt: string;
  updatedAt: string;
  approved: Map<string, { by: string; at: string; via: string }>;
  /** Completed steps in completion order, with their (redacted) outputs. */
  completed: Map<string, { output: unknown; durationMs: number }>;
  failed: Map<string, ErrorInfo>;
  /** Every step whose call returned (completed, or failed a check afterwards), in order, with its output: what rollback undoes. */
  returned: Map<string, unknown>;
  /** Steps with an intent but no result: the process died during the call. */
  inFlight: Map<string, { tool: string; attempt: number; args: unknown }>;
  /** Steps whose call took effect (a probe or the operator said so) but whose output died with the process. */
  happened: Map<string, { by: string }>;
  rollback?: { reason: string; at: string };
  compensated: Set<string>;
  compensationFailed: Map<string, ErrorInfo>;
  compensationInFlight: Map<string, { tool: string }>;
  /** The last status a process wrote; undefined when it died first. */
  status?: RunStatus;
  summary?: unknown;
  entries: number;
}

export function foldJournal(entries: JournalEntry[]): RunState {
  const first = entries[0];
  if (first?.t !== "run-started") throw new RunnerError("RUN_NOT_FOUND", "journal does not start with run-started");
  const state: RunState = {
    runId: first.runId,
    digest: first.digest,
    plan: first.plan,
    planFile: first.planFile,
    dryRun: first.dryRun,
    startedAt: first.at,
    updatedAt: first.at,
    approved: new Map(),
    completed: new Map(),
    failed: new Map(),
    returned: new Map(),
    inFlight: new Map(),
    happened: new Map(),
    compensated: new Set(),
    compensationFailed: new Map(),
    compensationInFlight: new Map(),
    entries: entries.length,
  };
  for (const e of entries) {
    state.updatedAt = e.at;
    switch (e.t) {
      case "approved":
        for (const s of e.steps) state.approved.set(s, { by: e.by, at: e.at, via: e.via });
        break;
      case "step-intent":
        state.happened.delete(e.step);
        state.inFlight.set(e.step, { tool: e.tool, attempt: e.attempt, args: e.args });
        state.failed.delete(e.step);
        break;
      case "step-result":
        state.inFlight.delete(e.step);
        if (e.status === "completed") state.completed.set(e.step, { output: e.output, durationMs: e.durationMs });
        else state.failed.set(e.step, e.error);
        if (e.status === "completed" || e.output !== undefined) state.returned.set(e.step, e.output);
        break;
      case "rollback-started":
        state.rollback = { reason: e.reason, at: e.at };
        break;
      case "compensation-intent":
        state.compensationInFlight.set(e.step, { tool: e.tool });
        break;
      case "compensation-result":
        state.compensationInFlight.delete(e.step);
        if (e.status === "completed") {
          state.compensated.add(e.step);
          state.compensationFailed.delete(e.step);
        } else state.compensationFailed.set(e.step, e.error);
        break;
      case "outcome-resolved":
        if (e.of === "step") {
          state.inFlight.delete(e.step);
          if (e.happened) state.happened.set(e.step, { by: e.by });
          if (e.undone) state.compensated.add(e.step);
        } else {
          state.compensationInFlight.delete(e.step);
          if (e.happened) {
            state.compensated.add(e.step);
            state.compensationFailed.delete(e.step);
          }
        }
        break;
      case "run-finished":
        state.status = e.status;
        state.summary = e.summary;
        break;
      case "resumed":
        state.status = undefined;
        break;
      default:
        break;
    }
  }
  return state;
}

export function runDir(runsDir: string, runId: string): string {
  return join(runsDir, runId);
}

export function loadRun(runsDir: string, runId: string): RunState {
  return foldJournal(readRunJournal(runsDir, runId));
}

/** The journal of run `runId`, or RUN_NOT_FOUND naming how to list the runs. */
export function readRunJournal(runsDir: string, runId: string): JournalEntry[] {
  const dir = runDir(runsDir, runId);
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(runId) || !existsSync(join(dir, JOURNAL_FILE))) {
    throw new RunnerError(
      "RUN_NOT_FOUND",
      `no run \`${runId}\` in ${runsDir}${didYouMean(runId, listRunIds(runsDir))}; list runs with \`planfile runs\``,
    );
  }
  return readJournal(dir);
}
