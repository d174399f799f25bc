/**
 * The engine: validate → (resume) → stale? → approvals → reconcile unknown
 * outcomes → walk the graph → on failure or cancellation, roll back.
 * Every transition is journaled before it is reported.
 */
import { join } from "node:path";
import type { Plan } from "../schema/types.generated.js";
import { sealedPlan, validatedFor, type ValidatedPlan } from "../validator/index.js";
import type { StepGraph } from "../validator/rules/graph.js";
import { approve } from "./approve.js";
import { stepLookup, type RunContext } from "./context.js";
import { executeSteps } from "./execute.js";
import { StepOutcomes } from "./outcomes.js";
import { NullJournal, runStartedLine, type JournalWriter } from "./journal.js";
import { Redactor } from "./redact.js";
import { loadSecrets } from "./resolve.js";
import { rollBack } from "./undo.js";
import { RunnerError, errorInfo } from "./runner-error.js";
import { checkDrift } from "./staleness.js";
import { foldJournal, type RunState } from "./state.js";
import type { RunOptions, RunResult, StepOutcome } from "./types.js";
import { reconcile } from "./reconcile.js";
import { scratchFor } from "./scratch.js";
import { FileRunStore } from "../store/files.js";
import type { RunLock, RunStore } from "../store/types.js";

export { DEFAULT_CONCURRENCY } from "./execute.js";

export function runsDirOf(options: { runsDir?: string; registry: { stateDir: string } }): string {
  return options.runsDir ?? join(options.registry.stateDir, "runs");
}

/**
 * Runs a plan, or resumes the run `options.runId` when `options.resume` is set.
 * `input` is plan data, checked here, or the validator's result for
 * `options.registry` (`validatePlanFile` and friends), which is not checked
 * again.
 */
export async function run(input: Plan | ValidatedPlan, options: RunOptions): Promise<RunResult> {
  const validation = validatedFor(input, options.registry);
  if (!validation.ok) return { status: "invalid", problems: validation.problems };
  const { plan } = validation;
  // The canonical text made for the digest becomes the journal's first line; a resumed run needs only the digest.
  // A holder, emptied once the line is written: the text (a few MB for a large plan) must not live on in this
  // frame through the whole run (issue 16, item 4).
  const sealed = sealedPlan(validation);
  const { digest } = sealed;
  const runsDir = runsDirOf(options);
  const now = options.now ?? (() => new Date());
  const dryRun = options.dryRun ?? false;
  const store = options.store ?? new FileRunStore(runsDir);

  let prior: RunState | undefined;
  let runId: string;
  // A run killed before its journal began ran nothing: resuming it, or reusing its id, starts it afresh.
  let resume = options.resume ?? false;
  if (resume) {
    if (!options.runId) throw new RunnerError("RUN_NOT_FOUND", "resume needs the id of the run to resume");
    runId = options.runId;
    if ((await store.presence(runId)) === "empty") resume = false;
    else await store.read(runId); // RUN_NOT_FOUND before anything is created
  } else {
    runId = options.runId ?? newRunId(now());
    if (!dryRun && (await store.presence(runId)) === "started") throw alreadyExists(runId);
  }

  const lock = dryRun ? undefined : await store.lock(runId);
  try {
    // Under the lock, again: another process may have started it meanwhile.
    if (!resume && !dryRun && (await store.presence(runId)) === "started") throw alreadyExists(runId);
    if (resume) {
      // Read the journal only once the run is ours: another process may have just finished with it.
      prior = foldJournal(await store.read(runId));
      if (prior.digest !== digest) return { status: "digest-mismatch", runId, approved: prior.digest, given: digest };
    }
    return await execute(
      plan,
      { ...options, runId, resume },
      { digest, sealed, dryRun, now, store, lock, prior, graph: validation.graph },
    );
  } finally {
    await lock?.release();
  }
}

function alreadyExists(runId: string): RunnerError {
  return new RunnerError("RUN_BUSY", `run ${runId} already exists; resume it with --resume ${runId}`);
}

async function execute(
  plan: Plan,
  options: RunOptions & { runId: string },
  {
    digest,
    sealed,
    dryRun,
    now,
    store,
    lock,
    prior,
    graph,
  }: {
    digest: string;
    sealed: { json?: () => Buffer[] };
    dryRun: boolean;
    now: () => Date;
    store: RunStore;
    lock: RunLock | undefined;
    prior: RunState | undefined;
    graph: StepGraph;
  },
): Promise<RunResult> {
  const runId = options.runId;
  const secrets = loadSecrets(plan, options.env ?? process.env, options.registry);
  const journal = lock ? lock.journal({ always: options.durability === "always" }) : new NullJournal();
  const scratch = dryRun ? await scratchFor(plan, options.registry, runId) : undefined;
  const effective = scratch ? { ...options, registry: scratch.registry } : options;
  try {
    const ctx = createContext({ runId, digest, plan, secrets, journal, options: effective, now, graph });
    ctx.syncEverything = options.durability === "always" || !store.keepsUnsyncedLines;
    if (prior) ctx.write({ t: "resumed", digest });
    else {
      const started = {
        t: "run-started" as const,
        runId,
        digest,
        plan,
        ...(options.planFile ? { planFile: options.planFile } : {}),
        dryRun,
      };
      // With secrets to hide, the plan goes through the redactor like every other line.
      if (sealed.json === undefined || ctx.redactor.active) ctx.write(started);
      else {
        const entry = { ...started, at: now().toISOString() };
        journal.append(entry, runStartedLine(entry, sealed.json()));
      }
    }
    delete sealed.json;
    ctx.emit({
      type: "run-started",
      runId,
      digest,
      steps: plan.steps.map((s) => s.id),
      dryRun,
      resumed: prior !== undefined,
    });
    return await finish(ctx, await drive(ctx, effective, prior, store));
  } finally {
    await journal.close();
    await scratch?.dispose();
  }
}

async function drive(
  ctx: RunContext,
  options: RunOptions,
  prior: RunState | undefined,
  store: RunStore,
): Promise<RunResult> {
  const answers = { given: options.resolve, ask: options.askOutcome };
  // Only steps that got somewhere; the others are "not-started" in the result, in plan order. Not an entry per
  // step made before the first one starts: those lived through the young generation's collections (issue 16).
  const outcomes = new StepOutcomes(ctx);
  const base = () => ({ runId: ctx.runId, digest: ctx.digest, steps: stepOutcomes(ctx.plan, outcomes) });

  if (prior) {
    for (const [id, output] of prior.returned) ctx.outputs.set(id, output);
    for (const [id, done] of prior.completed) {
      outcomes.set(id, { status: "completed", output: done.output, durationMs: done.durationMs, reused: true });
      ctx.emit({ type: "step-reused", step: id, output: done.output });
    }
    for (const [id, error] of prior.failed) outcomes.set(id, { status: "failed", error, durationMs: 0 });
    if (prior.status === "succeeded")
      return { status: "succeeded", dryRun: false, outputs: Object.fromEntries(ctx.outputs), ...base() };
    const failedStep = [...prior.failed.keys()][0];
    if (
      prior.rollback ||
      failedStep !== undefined ||
      prior.status === "rolled-back" ||
      prior.status === "partially-rolled-back" ||
      prior.status === "rollback-incomplete"
    ) {
      const reason = prior.rollback?.reason ?? `step ${failedStep} failed`;
      return rollBack(
        ctx,
        base,
        reason,
        prior,
        { failedStep, error: failedStep ? prior.failed.get(failedStep) : undefined, cancelled: false },
        { answers },
      );
    }
  }

  const acted = prior !== undefined && (prior.completed.size > 0 || prior.inFlight.size > 0);
  if (!acted && (ctx.plan.context ?? []).length > 0) {
    const diffs = await checkDrift(ctx.plan, ctx.registry);
    const allowed = options.allowDrift === true;
    ctx.write({ t: "drift-checked", diffs, allowed });
    if (diffs.length > 0) {
      ctx.emit({ type: "drift", diffs, allowed });
      if (!allowed) return { status: "stale", diffs, ...base() };
    }
  }

  let atStep: string[] = [];
  if (!options.dryRun) {
    const decision = await approve(ctx, options, prior);
    if (decision.status === "awaiting-approval")
      return { status: "awaiting-approval", pending: decision.pending, ...base() };
    if (decision.status === "rejected")
      return { status: "rejected", rejected: decision.rejected, by: decision.by, ...base() };
    atStep = decision.atStep ?? [];
  }

  if (prior && (prior.inFlight.size > 0 || prior.happened.size > 0)) {
    const settled = await reconcile(ctx, prior, options.rerunUnknown ?? [], answers);
    if (settled.action === "stop") return { status: "outcome-unknown", unknown: settled.unknown, ...base() };
    if (settled.action === "roll-back")
      return rollBack(
        ctx,
        base,
        `the operator says ${settled.happened.join(", ")} happened`,
        await reread(ctx, prior, store),
        { cancelled: false },
        { answers },
      );
  }
  // Cancelled while approvals or reconciling were under way: nothing new starts.
  if (options.signal?.aborted) return rollBack(ctx, base, "cancelled", prior, { cancelled: true }, { answers });

  const failure = await executeSteps(ctx, options, outcomes, new Set(atStep));
  const cancelled = options.signal?.aborted === true;
  if (failure || cancelled) {
    const reason = failure?.rejected
      ? `step ${failure.step} was rejected by ${failure.rejected.by}`
      : failure
        ? `step ${failure.step} failed`
        : "cancelled";
    return rollBack(
      ctx,
      base,
      reason,
      prior,
      { failedStep: failure?.step, error: failure?.error, cancelled },
      { answers },
    );
  }
  const redacted: Record<string, unknown> = {};
  ctx.outputs.forEach((v, k) => entry(redacted, k, ctx.redactor.value(v)));
  return { status: "succeeded", dryRun: options.dryRun ?? false, outputs: redacted, ...base() };
}

function createContext(input: {
  runId: string;
  digest: string;
  plan: Plan;
  secrets: Record<string, string>;
  journal: JournalWriter;
  options: Pick<RunOptions, "registry" | "onEvent" | "retryDelayMs" | "defaultRetries">;
  now: () => Date;
  graph?: StepGraph;
}): RunContext {
  const { options, journal, now } = input;
  const redactor = new Redactor(Object.values(input.secrets));
  return {
    runId: input.runId,
    digest: input.digest,
    plan: input.plan,
    steps: stepLookup(input.plan, input.graph),
    graph: input.graph,
    registry: options.registry,
    journal,
    redactor,
    secrets: input.secrets,
    outputs: new Map(),
    contextOutputs: new Map((input.plan.context ?? []).map((c) => [c.id, c.output])),
    retryDelayMs: options.retryDelayMs ?? 200,
    defaultRetries: options.defaultRetries ?? 2,
    now,
    listening: options.onEvent !== undefined,
    emit: (event) => {
      try {
        options.onEvent?.(redactor.value(event));
      } catch {
        // A broken listener must not break a run that is changing the world.
      }
    },
    // Not `{ ...entry, at }`: V8 gives each such copy a hidden class of its own, allocated in old space, and a
    // run writes two lines per step (about 0.5 KB per step kept until a full GC; issue 16). Same keys, same order.
    write: (entry) => journal.append(redactor.value(Object.assign({}, entry, { at: now().toISOString() }) as never)),
  };
}

/** Every step's outcome by id, in plan order; a step with none recorded is not started. */
function stepOutcomes(plan: Plan, outcomes: StepOutcomes): Record<string, StepOutcome> {
  const steps: Record<string, StepOutcome> = {};
  for (const s of plan.steps) entry(steps, s.id, outcomes.get(s.id) ?? { status: "not-started" });
  return steps;
}

/**
 * `record[key] = value` as `Object.fromEntries` does it (a `__proto__` key stays a key), without a [key, value]
 * pair per step: a result of 10k steps built from pairs kept 1 MB of them alive through a scavenge (issue 16).
 */
function entry<T>(record: Record<string, T>, key: string, value: T): void {
  if (key === "__proto__")
    Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
  else record[key] = value;
}

/** Journals and reports the end of a process's work on a run. */
export async function finish(ctx: RunContext, result: RunResult): Promise<RunResult> {
  const { steps: _steps, outputs: _outputs, ...summary } = result as RunResult & { steps?: unknown; outputs?: unknown };
  ctx.write({ t: "run-finished", status: result.status, summary });
  await ctx.journal.sync({ last: true });
  const redacted = ctx.redactor.value(result);
  ctx.emit({ type: "run-finished", result: redacted });
  return redacted;
}

export { createContext };

/** The run's state with what this process journaled so far (the operator's answers) folded in. */
async function reread(ctx: RunContext, prior: RunState, store: RunStore): Promise<RunState> {
  if (ctx.journal instanceof NullJournal) return prior;
  await ctx.journal.sync();
  return foldJournal(await store.read(ctx.runId));
}

/** `20261124-210000-a1b2`: sortable by start time, unique enough for one machine. */
export function newRunId(at: Date): string {
  const iso = at.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  return `${iso}-${Math.random().toString(16).slice(2, 6)}`;
}

export { errorInfo };
