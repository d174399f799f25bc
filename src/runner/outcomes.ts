/**
 * Every step's outcome in a run, as the result reports it. A step that
 * completed in this process is kept as its duration alone (its output is in
 * `ctx.outputs` already) and made whole when the result asks for it: an
 * outcome object per step, alive from the step's end to the run's, lived
 * through every collection of V8's young generation, and enough survivors
 * make V8 double the young generation for the rest of the process (issue 16,
 * item 4). Anything else (reused, failed, skipped) is kept as it is.
 */
import type { RunContext } from "./context.js";
import type { StepOutcome } from "./types.js";

export class StepOutcomes {
  private readonly kept = new Map<string, StepOutcome>();
  /** By the step's place in the plan; NaN: not completed in this process. */
  private readonly durations: Float64Array | undefined;

  constructor(private readonly ctx: Pick<RunContext, "plan" | "graph" | "outputs" | "redactor">) {
    if (ctx.graph) this.durations = new Float64Array(ctx.plan.steps.length).fill(Number.NaN);
  }

  set(id: string, outcome: StepOutcome): void {
    const i = this.place(id);
    if (i !== undefined) this.durations![i] = Number.NaN;
    if (i !== undefined && outcome.status === "completed" && !outcome.reused && this.ctx.outputs.has(id)) {
      this.durations![i] = outcome.durationMs;
      this.kept.delete(id);
    } else this.kept.set(id, outcome);
  }

  /** The step's outcome; undefined when it has none (not started). */
  get(id: string): StepOutcome | undefined {
    const kept = this.kept.get(id);
    if (kept) return kept;
    const i = this.place(id);
    const durationMs = i === undefined ? Number.NaN : this.durations![i]!;
    if (Number.isNaN(durationMs)) return undefined;
    // Redacted as it was when the step completed: the same output, the same secrets.
    return {
      status: "completed",
      output: this.ctx.redactor.value(this.ctx.outputs.get(id)),
      durationMs,
      reused: false,
    };
  }

  private place(id: string): number | undefined {
    return this.durations ? this.ctx.graph!.index.get(id) : undefined;
  }
}
