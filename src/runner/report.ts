/**
 * What a person sees: plain lines (logs, CI), a live step table (a TTY), or
 * NDJSON (`--json`), and a final summary. Events arrive already redacted.
 */
import type { RunEvent, VerifyReport } from "./events.js";
import { formatDrift } from "./staleness.js";
import type { RunResult } from "./types.js";
import { oneLine, terminalText } from "../review/safe-text.js";

type Write = (text: string) => void;
const ms = (n: number) => (n < 1000 ? `${Math.round(n)} ms` : `${(n / 1000).toFixed(1)} s`);
const brief = (v: unknown, max = 100) => {
  const s = JSON.stringify(v) ?? "";
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
};

/** One line per event, or undefined for events not worth a line. */
/** One line per event for a terminal; plan and tool text in it cannot carry escape sequences (safe-text.ts). */
export function formatEvent(e: RunEvent): string | undefined {
  const line = eventLine(e);
  return line === undefined ? undefined : terminalText(line);
}

function eventLine(e: RunEvent): string | undefined {
  switch (e.type) {
    case "run-started":
      return `${e.resumed ? "resuming" : e.dryRun ? "dry run" : "run"} ${e.runId}  ${e.steps.length} steps  ${e.digest.slice(0, 19)}…`;
    case "drift":
      return [
        `the world changed since the plan was made${e.allowed ? " (allowed by --allow-drift)" : ""}:`,
        ...formatDrift(e.diffs).map((l) => `  ${l}`),
      ].join("\n");
    case "approval-required":
      return `needs approval: ${e.steps.join(", ")}`;
    case "approved":
      return `approved ${e.steps.join(", ")} by ${e.by} (${e.via}${e.atStep ? ", at the step" : ""})`;
    case "rejected":
      return `rejected ${e.steps.join(", ")} by ${e.by}`;
    case "step-started":
      return `▸ ${e.step}  ${e.tool}${e.attempt > 1 ? `  attempt ${e.attempt}` : ""}${e.dryRun ? "  (dry run)" : ""}`;
    case "step-retrying":
      return `  ${e.step} will retry in ${ms(e.delayMs)}: ${e.error.message}`;
    case "step-completed":
      return `✓ ${e.step}  ${ms(e.durationMs)}  ${brief(e.output)}`;
    case "step-failed":
      return `✗ ${e.step}  ${ms(e.durationMs)}  ${e.error.code}: ${e.error.message}`;
    case "step-skipped":
      return `- ${e.step}  skipped: ${e.reason}`;
    case "step-reused":
      return `= ${e.step}  completed earlier (output reused)`;
    case "outcome-unknown": {
      const probe = e.verify
        ? e.verify.ran
          ? `; ${e.verify.tool} says it ${e.verify.happened ? "happened" : "did not happen"}`
          : `; ${e.verify.reason}`
        : "";
      return `? ${e.step}  ${e.tool} was running when the process died${probe}; ${e.action === "rerun" ? "running it again" : "stopping to ask"}`;
    }
    case "outcome-resolved": {
      const what = e.of === "step" ? e.step : `the undo of ${e.step} (${e.tool})`;
      const verdict = e.undone ? "happened and was undone by hand" : e.happened ? "happened" : "did not happen";
      const source =
        e.by === "read-only"
          ? "it only reads"
          : e.by === "probe" && e.verify?.ran
            ? `${e.verify.tool} says so`
            : "the operator says so";
      return `? ${what} was interrupted: ${verdict} (${source})`;
    }
    case "rollback-started":
      return `rolling back (${e.reason}): ${e.steps.length > 0 ? e.steps.join(" ← ") : "nothing to undo"}`;
    case "compensation-started":
      return `  ↺ ${e.step}  ${e.tool}${e.attempt > 1 ? `  attempt ${e.attempt}` : ""}`;
    case "compensation-completed":
      return `  ✓ undid ${e.step}  ${ms(e.durationMs)}`;
    case "compensation-failed":
      return `  ✗ undo of ${e.step} failed: ${e.error.message}${e.willRetry ? " (will retry)" : ""}`;
    case "compensation-skipped":
      return `  - ${e.step}: ${e.reason}`;
    case "run-finished":
      return undefined;
  }
}

/** How the user runs the commands a hint names: `resume` and `rollback` are prefixes; `flags` follow the run id (e.g. their --state-dir). */
export interface Hints {
  resume: string;
  rollback: string;
  flags?: string;
}
const DEFAULT_HINTS: Hints = { resume: "tsx src/run.ts --resume", rollback: "tsx src/rollback.ts" };

function unknownNote(u: { happened?: boolean; verify?: VerifyReport }): string {
  if (u.happened) return `it HAPPENED${u.verify?.ran ? ` (${u.verify.tool}: ${brief(u.verify.output)})` : ""}`;
  return u.verify && !u.verify.ran
    ? `${u.verify.reason}; nobody can tell whether it happened`
    : "nobody can tell whether it happened";
}

/** The closing words: what happened and what to do next. */
export function summarize(result: RunResult, how: Hints = DEFAULT_HINTS): string {
  return terminalText(summaryText(result, how));
}

function summaryText(result: RunResult, how: Hints): string {
  const counts = "steps" in result ? countSteps(result.steps) : "";
  const flags = how.flags ? ` ${how.flags}` : "";
  switch (result.status) {
    case "succeeded":
      return `${result.dryRun ? "dry run finished" : "succeeded"}: ${counts}  (run ${result.runId})`;
    case "rolled-back":
      return `${rolledBack(result)}\nundone: ${result.compensated.join(", ") || "nothing"}  (run ${result.runId})`;
    case "partially-rolled-back":
      return [
        `${result.cancelled ? "cancelled; " : result.failedStep ? "failed; " : ""}PARTIALLY ROLLED BACK: ${result.reason}${result.error ? `: ${result.error.message}` : ""}`,
        `undone: ${result.compensated.join(", ") || "nothing"}`,
        "cannot be undone (these changes stay):",
        ...result.irreversible.map((r) => `  ${r.step} (${r.tool}): ${r.reason}`),
        `(run ${result.runId})`,
      ].join("\n");
    case "rollback-incomplete":
      return [
        `ROLLBACK INCOMPLETE: ${result.reason}${result.error ? `: ${result.error.message}` : ""}`,
        `undone: ${result.compensated.join(", ") || "nothing"}`,
        ...(result.irreversible?.length
          ? ["cannot be undone:", ...result.irreversible.map((r) => `  ${r.step} (${r.tool}): ${r.reason}`)]
          : []),
        "left to undo:",
        ...result.remaining.map((r) => `  ${r.step} (${r.tool}): ${r.error.message}`),
        `fix the cause (or answer as asked), then: ${how.rollback} ${result.runId}${flags}`,
      ].join("\n");
    case "awaiting-approval":
      return `awaiting approval: nothing ran. Risky steps: ${result.pending.join(", ")}\nreview them, then: ${how.resume} ${result.runId}${flags} --approve ${result.pending.join(",")}`;
    case "rejected":
      return `rejected by ${result.by}: nothing ran (${result.rejected.join(", ")})`;
    case "outcome-unknown": {
      const lost = result.unknown.filter((u) => u.happened);
      const open = result.unknown.filter((u) => !u.happened);
      const lines = [
        `stopped: ${result.unknown.length > 1 ? "steps were" : "a step was"} running when a process died, and ${result.unknown.length > 1 ? "they are" : "it is"} not idempotent:`,
      ];
      for (const u of result.unknown) lines.push(`  ${u.step} (${u.tool}): ${unknownNote(u)}`);
      if (open.length > 0) {
        const ids = open.map((u) => u.step);
        const answer = (value: string, of: typeof open) => of.map((u) => `${u.step}=${value}`).join(",");
        const byHand = open.filter((u) => u.undoNeedsOutput);
        const undoable = open.filter((u) => !u.undoNeedsOutput);
        lines.push(
          `if ${ids.length > 1 ? "they" : "it"} did not happen: ${how.resume} ${result.runId}${flags} --resolve ${answer("not-happened", open)}`,
          `  (or undo the run instead: ${how.rollback} ${result.runId}${flags} --resolve ${answer("not-happened", open)})`,
        );
        if (undoable.length > 0)
          lines.push(
            `if ${undoable.length > 1 ? "they" : "it"} happened, undo the run: ${how.rollback} ${result.runId}${flags} --resolve ${answer("happened", undoable)}`,
          );
        if (byHand.length > 0)
          lines.push(
            `if ${byHand.map((u) => u.step).join(", ")} happened, ${byHand.length > 1 ? "their undos need their" : "its undo needs its"} lost output: undo ${byHand.length > 1 ? "them" : "it"} by hand, then: ${how.rollback} ${result.runId}${flags} --resolve ${answer("undone", byHand)}`,
          );
      }
      if (lost.length > 0)
        lines.push(
          `${lost.map((u) => u.step).join(", ")} took effect but ${lost.length > 1 ? "their outputs were" : "its output was"} lost with the process, so the run cannot go on; undo it: ${how.rollback} ${result.runId}${flags}`,
        );
      return lines.join("\n");
    }
    case "stale":
      return [
        `stale plan: the world changed since the plan was made; nothing ran.`,
        ...formatDrift(result.diffs).map((l) => `  ${l}`),
        "re-plan, or run with --allow-drift if the differences do not matter",
      ].join("\n");
    case "digest-mismatch":
      return `this plan is not the one approved for run ${result.runId}: digest ${result.given} ≠ ${result.approved}; start a new run instead`;
    case "invalid":
      return result.problems.map((p) => `${p.file}:${p.line}:${p.col}  ${p.message}  [${p.rule}]`).join("\n");
  }
}

function rolledBack(result: Extract<RunResult, { status: "rolled-back" }>): string {
  if (result.cancelled) return "cancelled and rolled back";
  if (result.error?.code === "REJECTED") return `rejected at the step and rolled back: ${result.error.message}`;
  const head = result.failedStep ? "failed and rolled back" : "rolled back";
  return `${head}: ${result.reason}${result.error ? `: ${result.error.message}` : ""}`;
}

function countSteps(steps: Record<string, { status: string; reused?: boolean }>): string {
  const counts = new Map<string, number>();
  for (const s of Object.values(steps)) {
    const key = s.status === "completed" && s.reused ? "reused" : s.status;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => `${n} ${k}`).join(", ");
}

/** Plain lines, one per event. */
export function plainReporter(write: Write): (e: RunEvent) => void {
  return (e) => {
    const line = formatEvent(e);
    if (line !== undefined) write(`${line}\n`);
  };
}

export function jsonReporter(write: Write): (e: RunEvent) => void {
  // Not `{ ...e, at }`: V8 gives each such copy a hidden class of its own, in old space (see decision 0190).
  return (e) => write(`${JSON.stringify(Object.assign({}, e, { at: new Date().toISOString() }))}\n`);
}

/**
 * A live table on a TTY: one row per step with its state and duration,
 * redrawn in place; other events print above it.
 */
export function liveReporter(
  write: Write,
  steps: readonly { id: string; tool: string }[],
  columns: () => number = () => 0,
): {
  listener: (e: RunEvent) => void;
  stop: () => void;
  /** Prints a line above the table (a note such as "interrupted"). */
  note: (text: string) => void;
  /** Erases the table while a prompt uses the terminal; `resume` draws it again. */
  pause: () => void;
  resume: () => void;
} {
  const rows = new Map<string, { state: string; tool: string; since: number; ms?: number; note?: string }>(
    steps.map((s) => [s.id, { state: "waiting", tool: s.tool, since: 0 }]),
  );
  const width = Math.max(...steps.map((s) => s.id.length));
  const toolWidth = Math.max(...steps.map((s) => s.tool.length));
  let drawn = 0;
  let active = false;
  let paused = false;
  let stopped = false;
  // A row wider than the terminal wraps onto two lines, and moving up by the row count would then draw over the rows above.
  const fitWidth = (line: string) => {
    const max = columns() - 1;
    return max > 10 && line.length > max ? `${line.slice(0, max - 1)}…` : line;
  };
  const icon: Record<string, string> = {
    waiting: "·",
    running: "▸",
    done: "✓",
    failed: "✗",
    skipped: "-",
    reused: "=",
    undoing: "↺",
    undone: "↩",
    "undo failed": "✗",
  };
  const draw = () => {
    if (!active || paused) return;
    const now = performance.now();
    const lines = [...rows].map(([id, r]) => {
      const d = r.ms ?? (r.state === "running" || r.state === "undoing" ? now - r.since : undefined);
      return fitWidth(
        `  ${icon[r.state] ?? " "} ${id.padEnd(width)}  ${r.state.padEnd(11)} ${r.tool.padEnd(toolWidth)}  ${d === undefined ? "" : ms(d)}${r.note ? `  ${oneLine(r.note)}` : ""}`,
      );
    });
    write(`${drawn > 0 ? `\x1b[${drawn}A` : ""}\x1b[J${lines.join("\n")}\n`);
    drawn = lines.length;
  };
  const erase = () => {
    if (drawn > 0) write(`\x1b[${drawn}A\x1b[J`);
    drawn = 0;
  };
  const above = (text: string) => {
    if (stopped) return write(`${text}\n`);
    erase();
    write(`${text}\n`);
    draw();
  };
  const timer = setInterval(draw, 100);
  timer.unref();
  const set = (
    id: string,
    patch: Partial<{ state: string; tool: string; since: number; ms: number | undefined; note: string }>,
  ) => {
    const row = rows.get(id);
    if (row) Object.assign(row, patch);
  };
  return {
    listener: (e) => {
      switch (e.type) {
        case "step-started":
          active = true;
          set(e.step, { state: "running", tool: e.tool, since: performance.now(), ms: undefined });
          break;
        case "step-completed":
          set(e.step, { state: "done", ms: e.durationMs });
          break;
        case "step-failed":
          set(e.step, { state: "failed", ms: e.durationMs, note: e.error.message.slice(0, 60) });
          break;
        case "step-skipped":
          set(e.step, { state: "skipped", note: e.reason });
          break;
        case "step-reused":
          set(e.step, { state: "reused" });
          break;
        case "compensation-started":
          active = true;
          set(e.step, { state: "undoing", since: performance.now(), ms: undefined });
          break;
        case "compensation-completed":
          set(e.step, { state: "undone", ms: e.durationMs });
          break;
        case "compensation-failed":
          if (!e.willRetry) set(e.step, { state: "undo failed", note: e.error.message.slice(0, 60) });
          break;
        case "run-finished":
          break;
        default: {
          const line = formatEvent(e);
          if (line !== undefined) above(line);
          return;
        }
      }
      draw();
    },
    // Final: the last drawing stays on screen, and nothing after it (the summary) is ever redrawn over.
    stop: () => {
      if (stopped) return;
      clearInterval(timer);
      paused = false;
      draw();
      active = false;
      stopped = true;
      drawn = 0;
    },
    note: above,
    pause: () => {
      if (stopped || paused) return;
      erase();
      paused = true;
    },
    resume: () => {
      if (stopped || !paused) return;
      paused = false;
      draw();
    },
  };
}
