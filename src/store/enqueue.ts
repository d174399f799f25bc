/** `run --enqueue`: a validated plan into the shared store's queue, pinned by its digest. */
import { PlanfileError } from "../errors.js";
import type { Registry } from "../registry/registry.js";
import { operator } from "../runner/approve.js";
import { newRunId } from "../runner/run.js";
import type { Plan } from "../schema/types.generated.js";
import { validatePlanData } from "../validator/index.js";
import type { RunStore } from "./types.js";

export async function enqueuePlan(
  store: RunStore,
  plan: Plan,
  options: { runId?: string; approve?: string[] | "all"; approvedBy?: string; registry: Registry },
): Promise<string> {
  const [{ PostgresRunStore }, { RunQueue }] = await Promise.all([
    import("./postgres/store.js"),
    import("./postgres/queue.js"),
  ]);
  if (!(store instanceof PostgresRunStore))
    throw new PlanfileError(
      "USAGE",
      "--enqueue needs a shared run store: set PLANFILE_STORE_URL (or store.url in planfile.config.json)",
    );
  const validation = validatePlanData(plan, options.registry);
  if (!validation.ok) throw new PlanfileError("PLAN_INVALID", "the plan is invalid; nothing was queued");
  const runId = options.runId ?? newRunId(new Date());
  const queue = new RunQueue(store);
  try {
    const none = options.approve === undefined || (Array.isArray(options.approve) && options.approve.length === 0);
    await queue.enqueue({
      runId,
      plan,
      digest: validation.digest,
      by: operator(),
      ...(none ? {} : { approve: options.approve, approvedBy: options.approvedBy ?? operator() }),
    });
  } finally {
    await queue.close();
  }
  return runId;
}
