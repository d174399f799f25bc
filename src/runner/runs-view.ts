/** `tsx src/runs.ts`: the runs under the state folder, and one run's story, read from journals only. */
import { join } from "node:path";
import { lockHolder } from "../lock-file.js";
import { fileRuns } from "../store/files.js";
import type { Holder, RunStore, StoredRun } from "../store/types.js";
import type { JournalEntry } from "./journal.js";
import { foldJournal, type RunState } from "./state.js";

export interface RunRow {
  runId: string;
  startedAt: string;
  status: string;
  plan: string;
  completed: number;
  total: number;
  /** The machine that last worked on the run (a shared store only). */
  host?: string;
}

/**
 * A run without `run-finished` is live while a process holds its lock
 * (`running`, `rolling back`), and `interrupted` once that process is gone.
 */
export function statusOf(state: RunState, holder?: number | Holder): string {
  if (state.status) return state.status;
  if (holder !== undefined) {
    const who = typeof holder === "number" ? `pid ${holder || "?"}` : `pid ${holder.pid || "?"} on ${holder.host}`;
    return `${state.rollback ? "rolling back" : "running"} (${who})`;
  }
  return state.rollback ? "interrupted (rolling back)" : "interrupted";
}

/** The live process acting on a run, if any. */
export function runHolder(runsDir: string, runId: string): number | undefined {
  return lockHolder(join(runsDir, runId, "lock"));
}

export function listRuns(runsDir: string): RunRow[] {
  return fileRuns(runsDir).map((r) => rowOf(r, false));
}

/** Every run in the store; a shared store names each run's machine. */
export async function listStoredRuns(store: RunStore): Promise<RunRow[]> {
  return (await store.list()).map((r) => rowOf(r, store.shared));
}

function rowOf(run: StoredRun, shared: boolean): RunRow {
  const host = shared ? { host: run.host ?? "?" } : {};
  const unread = { runId: run.runId, startedAt: "?", plan: run.plan ?? "?", completed: 0, total: 0, ...host };
  if (run.entries.length === 0)
    return { ...unread, status: run.unreadable ? "unreadable journal" : (run.status ?? "?") };
  try {
    const s = foldJournal(run.entries);
    return {
      runId: run.runId,
      startedAt: s.startedAt,
      status: statusOf(s, shared ? run.holder : run.holder?.pid),
      plan: s.plan.metadata.name,
      completed: s.completed.size,
      total: s.plan.steps.length,
      ...host,
    };
  } catch {
    return { ...unread, status: "unreadable journal" };
  }
}

export function formatRunList(rows: RunRow[]): string {
  if (rows.length === 0) return "no runs yet";
  const hosts = rows.some((r) => r.host !== undefined);
  const table = [
    ["RUN", "STARTED", "STATUS", "PLAN", "STEPS", ...(hosts ? ["HOST"] : [])],
    ...rows.map((r) => [
      r.runId,
      r.startedAt.replace("T", " ").slice(0, 19),
      r.status,
      r.plan,
      `${r.completed}/${r.total}`,
      ...(hosts ? [r.host ?? "?"] : []),
    ]),
  ];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
  return table
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

export function formatRun(state: RunState, entries: JournalEntry[], holder?: number | Holder): string {
  const lines = [
    `run ${state.runId}  ${statusOf(state, holder)}`,
    `plan ${state.plan.metadata.name}${state.planFile ? ` (${state.planFile})` : ""}  ${state.digest}`,
    `goal ${state.plan.metadata.goal}`,
    `started ${state.startedAt}  last change ${state.updatedAt}`,
  ];
  for (const [step, a] of state.approved) lines.push(`approved ${step} by ${a.by} at ${a.at} (${a.via})`);
  lines.push("", "steps:");
  for (const step of state.plan.steps) {
    const done = state.completed.get(step.id);
    const failed = state.failed.get(step.id);
    const flight = state.inFlight.get(step.id);
    const undo = state.compensated.has(step.id)
      ? "  undone"
      : state.compensationFailed.has(step.id)
        ? `  UNDO FAILED: ${state.compensationFailed.get(step.id)!.message}`
        : state.compensationInFlight.has(step.id)
          ? "  undo interrupted"
          : "";
    const what = done
      ? `completed ${Math.round(done.durationMs)} ms`
      : failed
        ? `failed: ${failed.message}`
        : flight
          ? holder !== undefined
            ? "running"
            : "interrupted (outcome unknown)"
          : "not started";
    lines.push(`  ${step.id.padEnd(16)} ${step.tool.padEnd(28)} ${what}${undo}`);
  }
  lines.push("", "journal:");
  for (const e of entries)
    lines.push(`  ${e.at}  ${e.t}${"step" in e ? ` ${e.step}` : ""}${"status" in e ? ` ${e.status}` : ""}`);
  return lines.join("\n");
}
