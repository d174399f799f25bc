/**
 * `rollback.ts <run>`: finish an incomplete rollback, or undo a run on
 * demand (a finished one included), from its journal alone. It first shows
 * what it would undo (`previewRollback`); the caller asks (`confirm`), or
 * stops there (a dry run).
 */
import type { Registry } from "../registry/registry.js";
import type { Step } from "../schema/types.generated.js";
import { undoOf } from "./rollback.js";
import type { RunContext } from "./context.js";
import type { EventListener } from "./events.js";
import { NullJournal, type JournalWriter } from "./journal.js";
import { FileRunStore } from "../store/files.js";
import type { RunStore } from "../store/types.js";
import type { AskOutcome, OutcomeAnswer } from "./outcome.js";
import { loadSecrets } from "./resolve.js";
import { rollBack } from "./undo.js";
import { createContext, finish, runsDirOf } from "./run.js";
import { errorInfo } from "./runner-error.js";
import { foldJournal, type RunState } from "./state.js";
import type { RunResult, StepOutcome } from "./types.js";

export interface RollbackOptions {
  registry: Registry;
  runsDir?: string;
  /** Where the run lives; default the files under `runsDir`. */
  store?: RunStore;
  onEvent?: EventListener;
  env?: Readonly<Record<string, string | undefined>>;
  retryDelayMs?: number;
  defaultRetries?: number;
  now?: () => Date;
  /** Shown what will be undone; false leaves everything as it is (status `rejected`). */
  confirm?: (preview: RollbackPreview) => Promise<boolean>;
  /** Answers about interrupted calls no probe can tell (`--resolve step=…`). */
  resolve?: Readonly<Record<string, OutcomeAnswer>>;
  askOutcome?: AskOutcome;
  /** Checked before each compensation: true leaves the rest for a later rollback (Ctrl-C). */
  stop?: () => boolean;
}

/** One line of what a rollback will do, in order. */
export type PreviewItem =
  | { step: string; action: "undo"; tool: string; args: unknown }
  | { step: string; action: "nothing"; reason: string }
  | { step: string; action: "settle"; tool: string; reason: string }
  | { step: string; action: "cannot"; reason: string };

export interface RollbackPreview {
  runId: string;
  planName: string;
  /** Nothing left to undo: the run is already rolled back, or nothing ran. */
  empty: boolean;
  items: PreviewItem[];
}

/** What `rollbackRun` would do, from the journal alone: no tool is called. */
export function previewRollback(state: RunState, ctx: RunContext): RollbackPreview {
  const items: PreviewItem[] = [];
  for (const [id, f] of state.inFlight)
    if (!state.returned.has(id))
      items.push({
        step: id,
        action: "settle",
        tool: f.tool,
        reason: "was running when a process died: its probe (or you) will say whether it happened",
      });
  for (const id of state.happened.keys())
    if (!state.compensated.has(id))
      items.push({
        step: id,
        action: "settle",
        tool: ctx.steps.get(id)!.tool,
        reason: "took effect; its output was lost",
      });
  for (const id of [...state.returned.keys()].reverse()) {
    if (state.compensated.has(id)) continue;
    const step = ctx.steps.get(id) as Step;
    try {
      const undo = undoOf(ctx, step);
      if (undo.kind === "call")
        items.push({ step: id, action: "undo", tool: undo.tool, args: ctx.redactor.value(undo.args) });
      else if (undo.kind === "nothing") items.push({ step: id, action: "nothing", reason: undo.reason });
      else items.push({ step: id, action: "cannot", reason: undo.reason });
    } catch (error) {
      items.push({ step: id, action: "cannot", reason: errorInfo(error).message });
    }
  }
  const empty = items.every((i) => i.action === "nothing");
  return { runId: state.runId, planName: state.plan.metadata.name, empty, items };
}

/** The preview without touching the run: no lock, no journal line. */
export async function previewRun(
  runId: string,
  options: Pick<RollbackOptions, "registry" | "runsDir" | "store" | "env">,
): Promise<RollbackPreview> {
  const prior = foldJournal(await storeOf(options).read(runId));
  const ctx = contextFor(prior, new NullJournal(), options);
  for (const [id, output] of prior.returned) ctx.outputs.set(id, output);
  return previewRollback(prior, ctx);
}

function contextFor(
  prior: RunState,
  journal: JournalWriter,
  options: Pick<RollbackOptions, "registry" | "env" | "onEvent" | "retryDelayMs" | "defaultRetries" | "now">,
): RunContext {
  const secrets = loadSecrets(prior.plan, options.env ?? process.env, options.registry);
  const now = options.now ?? (() => new Date());
  return createContext({ runId: prior.runId, digest: prior.digest, plan: prior.plan, secrets, journal, options, now });
}

function storeOf(options: Pick<RollbackOptions, "registry" | "runsDir" | "store">): RunStore {
  return options.store ?? new FileRunStore(runsDirOf(options));
}

export async function rollbackRun(runId: string, options: RollbackOptions): Promise<RunResult> {
  const store = storeOf(options);
  await store.read(runId); // RUN_NOT_FOUND before anything is created
  const lock = await store.lock(runId);
  let journal: JournalWriter | undefined;
  try {
    // Read the journal only once the run is ours: another process may have just finished with it.
    const prior = foldJournal(await store.read(runId));
    const outcomes = new Map<string, StepOutcome>(prior.plan.steps.map((s) => [s.id, { status: "not-started" }]));
    for (const [id, done] of prior.completed)
      outcomes.set(id, { status: "completed", output: done.output, durationMs: done.durationMs, reused: true });
    for (const [id, error] of prior.failed) outcomes.set(id, { status: "failed", error, durationMs: 0 });
    const base = () => ({ runId, digest: prior.digest, steps: Object.fromEntries(outcomes) });

    if (options.confirm) {
      const look = contextFor(prior, new NullJournal(), options);
      for (const [id, output] of prior.returned) look.outputs.set(id, output);
      const preview = previewRollback(prior, look);
      if (!preview.empty && !(await options.confirm(preview)))
        return { status: "rejected", rejected: [], by: "the operator", ...base() };
    }

    journal = lock.journal();
    const ctx = contextFor(prior, journal, options);
    for (const [id, output] of prior.returned) ctx.outputs.set(id, output);
    ctx.write({ t: "resumed", digest: prior.digest });
    ctx.emit({
      type: "run-started",
      runId,
      digest: prior.digest,
      steps: prior.plan.steps.map((s) => s.id),
      dryRun: false,
      resumed: true,
    });
    const failedStep = [...prior.failed.keys()][0];
    const reason = prior.rollback?.reason ?? "rollback requested by the operator";
    const result = await rollBack(
      ctx,
      base,
      reason,
      prior,
      { failedStep, error: failedStep ? prior.failed.get(failedStep) : undefined, cancelled: false },
      { answers: { given: options.resolve, ask: options.askOutcome }, stop: options.stop },
    );
    return await finish(ctx, result);
  } finally {
    await journal?.close();
    await lock.release();
  }
}
