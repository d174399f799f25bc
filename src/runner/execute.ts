/**
 * Walks the dependency graph: ready steps start in plan order, each up to
 * the limits of what it calls (limits.ts: its kind, host, tool set, tool), and at most `concurrency` in all when the
 * caller sets a cap. After a failure or a cancellation nothing new starts;
 * steps already running are left to finish (an interrupted call's outcome
 * would be unknown), then the caller rolls back.
 */
import { checkExpect } from "../expect/index.js";
import type { Step } from "../schema/types.generated.js";
import { backoff, idempotencyKey, scopeOf, sleep, type RunContext } from "./context.js";
import type { ErrorInfo } from "./events.js";
import { approveAtStep } from "./approve.js";
import { Scheduler } from "./graph.js";
import type { StepOutcomes } from "./outcomes.js";
import { DEFAULT_CONCURRENCY, slotsOf, type Slot } from "./limits.js";
import { resolveValue } from "./resolve.js";
import { RunnerError, errorInfo, isTransient } from "./runner-error.js";
import { callReturned } from "./test-hooks.js";
import type { RunOptions, StepOutcome } from "./types.js";

export { DEFAULT_CONCURRENCY } from "./limits.js";

export interface Failure {
  step: string;
  error: ErrorInfo;
  /** The operator rejected this risky step when asked just before it ran. */
  rejected?: { by: string };
}

/**
 * `askAtStep`: risky steps to confirm just before they run (`--confirm step`);
 * asked one at a time, with their arguments resolved.
 */
export async function executeSteps(
  ctx: RunContext,
  options: RunOptions,
  outcomes: Pick<StepOutcomes, "set">,
  askAtStep: ReadonlySet<string> = new Set(),
): Promise<Failure | undefined> {
  const concurrency = Math.max(1, options.concurrency ?? DEFAULT_CONCURRENCY);
  const scheduler = new Scheduler(ctx.plan, new Set(ctx.outputs.keys()), ctx.graph);
  const skipped = new Set<string>();
  let failure: Failure | undefined;
  let running = 0;
  // Ready steps held by a full slot wait here, a queue per tool (its steps share their slots), ahead of later
  // ones so plan order holds. Only each queue's head is looked at: thousands held stay linear.
  const held = new Map<string, { ids: string[]; head: number }>();
  const runningIn = new Map<string, number>();
  const slotsByTool = new Map<string, Slot[]>();
  const slotsFor = (id: string): Slot[] => {
    const name = ctx.steps.get(id)!.tool;
    let slots = slotsByTool.get(name);
    if (!slots) slotsByTool.set(name, (slots = slotsOf(ctx.registry.get(name)!)));
    return slots;
  };
  const fits = (id: string) => slotsFor(id).every((s) => (runningIn.get(s.key) ?? 0) < s.limit);
  const occupy = (slots: Slot[], n: number) => {
    for (const s of slots) runningIn.set(s.key, (runningIn.get(s.key) ?? 0) + n);
  };
  const take = (): string | undefined => {
    let best: { ids: string[]; head: number } | undefined;
    for (const queue of held.values()) {
      const id = queue.ids[queue.head];
      if (id !== undefined && fits(id) && (!best || scheduler.indexOf(id) < scheduler.indexOf(best.ids[best.head]!)))
        best = queue;
    }
    if (best) return best.ids[best.head++];
    for (let id = scheduler.next(); id !== undefined; id = scheduler.next()) {
      if (fits(id)) return id;
      const tool = ctx.steps.get(id)!.tool;
      const queue = held.get(tool) ?? { ids: [], head: 0 };
      held.set(tool, queue);
      queue.ids.push(id);
    }
    return undefined;
  };
  let asking = Promise.resolve();
  /** A step the operator confirms just before it runs (`--confirm step`), then runs it. */
  const confirmThenRun = async (step: Step): Promise<StepOutcome> => {
    const turn = asking.then(() =>
      failure || options.signal?.aborted ? undefined : approveAtStep(ctx, options, step),
    );
    asking = turn.then(() => undefined);
    const decision = await turn;
    if (!decision) return { status: "not-started" };
    if (!decision.approved) {
      const error = {
        code: "REJECTED",
        message: `${step.id} was rejected by ${decision.by} when asked before it ran`,
      };
      failure ??= { step: step.id, error, rejected: { by: decision.by } };
      return { status: "not-started" };
    }
    return runStep(ctx, options, step, skipped);
  };

  await new Promise<void>((finish) => {
    // One async call per step, not a chain of promises with a closure per link: thousands run in a row.
    const launch = async (id: string, slots: Slot[]): Promise<void> => {
      let outcome: StepOutcome;
      try {
        const step = ctx.steps.get(id)!;
        outcome = askAtStep.has(id) ? await confirmThenRun(step) : await runStep(ctx, options, step, skipped);
      } catch (error) {
        // A step that throws (its journal cannot be made durable: a disk error, a store whose session ended)
        // counts as failed, so nothing new starts and the run stops instead of waiting forever.
        outcome = { status: "failed", error: errorInfo(error), durationMs: 0 };
      }
      running--;
      occupy(slots, -1);
      outcomes.set(id, outcome);
      if (outcome.status === "failed") failure ??= { step: id, error: outcome.error };
      else if (outcome.status !== "not-started") {
        if (outcome.status === "skipped") skipped.add(id);
        scheduler.complete(id);
      }
      pump();
    };
    const pump = () => {
      while (!failure && !options.signal?.aborted && running < concurrency) {
        const id = take();
        if (id === undefined) break;
        const slots = slotsFor(id);
        running++;
        occupy(slots, 1);
        void launch(id, slots);
      }
      if (running === 0) finish();
    };
    options.signal?.addEventListener("abort", pump, { once: true });
    pump();
    // A journal's first fdatasync costs the most (its blocks are allocated then). Asked now, while the first steps
    // run, it joins their intents' sync if they have one, and otherwise keeps the run's last sync, which the report
    // waits for, a cheap one.
    void ctx.journal.sync().catch(() => {});
  });
  // Before a rollback starts, every completion it undoes is durable and reported (on success the run's end does it).
  if ((failure || options.signal?.aborted) && ctx.unsynced?.size) await ctx.journal.sync();
  return failure;
}

/** Runs one step (with retries), journaling intent and result; sets its output in `ctx.outputs` once the call returned. */
export async function runStep(
  ctx: RunContext,
  options: Pick<RunOptions, "dryRun">,
  step: Step,
  skipped: ReadonlySet<string>,
): Promise<StepOutcome> {
  const tool = ctx.registry.get(step.tool)!;
  const dryRun = options.dryRun === true;
  // Local-state tools run for real in a dry run: the registry works on a scratch copy (see scratch.ts).
  const simulated = dryRun && !tool.localState;
  const t0 = performance.now();
  // Non-idempotent steps (every step, with `durability: always`) have their intent durable before the call
  // and their result durable before it is reported or anything depends on it.
  const durable = !tool.idempotent || ctx.syncEverything === true;
  // Steps run by the thousand: the failure and skip paths are functions of the module, not closures made per step.
  if (dryRun) {
    const after = (step.dependsOn ?? []).find((d) => skipped.has(d));
    if (after) return skipStep(ctx, step, `dry run: depends on ${after}, which was skipped`);
    if (tool.effect !== "read" && !tool.dryRun && !tool.localState)
      return skipStep(ctx, step, `dry run: ${tool.name} cannot dry-run (${tool.effect})`);
  }

  let args: unknown;
  try {
    args = resolveValue(step.args, scopeOf(ctx), `step ${step.id}`);
  } catch (error) {
    return failStep(ctx, step, t0, durable, error);
  }

  const retries = tool.idempotent ? (step.retries ?? ctx.defaultRetries) : 0;
  const key = idempotencyKey(ctx, step.id);
  // A result still waiting for its sync must be durable before a call that builds on it; a durable step's
  // own intent sync below carries it (the journal is one file, synced in order).
  if (!durable && ctx.unsynced?.size && step.dependsOn?.some((d) => ctx.unsynced!.has(d))) await ctx.journal.sync();
  for (let attempt = 1; ; attempt++) {
    ctx.write({
      t: "step-intent",
      step: step.id,
      tool: step.tool,
      attempt,
      key,
      args,
      dryRun,
    });
    // A non-idempotent call must never happen without a durable intent: after a crash it is "outcome unknown", not "never ran".
    if (durable) await ctx.journal.sync();
    // Steps started together write their intents first, then make their calls one right after another: a
    // latency timer started a millisecond boundary later (libuv counts whole ones) fires a millisecond later.
    else await undefined;
    // Events are built only for a listener: a run without one (the library, the bench) makes none per step.
    if (ctx.listening !== false) ctx.emit({ type: "step-started", step: step.id, tool: step.tool, attempt, dryRun });
    try {
      const output = await ctx.registry.call(step.tool, args, {
        idempotencyKey: key,
        dryRun: simulated && tool.effect !== "read",
        secrets: ctx.secrets,
        timeoutMs: step.timeoutMs || undefined,
      });
      callReturned();
      // The call returned, so its effect happened: from here on, a failure still gets this step compensated.
      ctx.outputs.set(step.id, output);
      if (step.expect && !simulated) {
        const check = checkExpect(step.expect, { outputs: output, args });
        if (!check.ok)
          return failStep(
            ctx,
            step,
            t0,
            durable,
            new RunnerError("EXPECT_FAILED", `step ${step.id}: ${check.message}`),
            attempt,
            output,
          );
      }
      const durationMs = performance.now() - t0;
      ctx.write({ t: "step-result", step: step.id, status: "completed", output, durationMs });
      if (durable) {
        // Group commit: the step is done for the scheduler now; its result is reported once a sync carries
        // it, the next step's intent sync on a chain, or one sync for a whole layer finishing together.
        (ctx.unsynced ??= new Set()).add(step.id);
        void ctx.journal.sync().then(
          () => {
            ctx.unsynced!.delete(step.id);
            ctx.emit({ type: "step-completed", step: step.id, output, durationMs, dryRun });
          },
          () => {}, // the next sync (the run's end at the latest) meets the same disk error and reports it
        );
      } else if (ctx.listening !== false)
        ctx.emit({ type: "step-completed", step: step.id, output, durationMs, dryRun });
      return { status: "completed", output: ctx.redactor.value(output), durationMs, reused: false };
    } catch (error) {
      if (attempt > retries || !isTransient(error)) return failStep(ctx, step, t0, durable, error, attempt);
      const delayMs = backoff(ctx.retryDelayMs, attempt);
      ctx.emit({ type: "step-retrying", step: step.id, attempt, delayMs, error: errorInfo(error) });
      await sleep(delayMs);
    }
  }
}

async function failStep(
  ctx: RunContext,
  step: Step,
  t0: number,
  durable: boolean,
  error: unknown,
  attempt = 1,
  output?: unknown,
): Promise<StepOutcome> {
  const info = errorInfo(error);
  const durationMs = performance.now() - t0;
  ctx.write({
    t: "step-result",
    step: step.id,
    status: "failed",
    error: info,
    durationMs,
    attempt,
    ...(output !== undefined ? { output } : {}),
  });
  if (durable) await ctx.journal.sync(); // a failure is rare: no need to share the next step's sync
  ctx.emit({ type: "step-failed", step: step.id, error: info, durationMs });
  return { status: "failed", error: ctx.redactor.value(info), durationMs };
}

function skipStep(ctx: RunContext, step: Step, reason: string): StepOutcome {
  ctx.emit({ type: "step-skipped", step: step.id, reason });
  return { status: "skipped", reason };
}
