/**
 * Proven before emitted: a plan is dry-run by the runner on a throwaway copy
 * of the local state (see src/runner/scratch.ts) before the planner hands it
 * out. Local-state tools (the sandbox) run for real on the copy, so a step the
 * world would refuse (a full bucket quota, a name taken) fails here instead of
 * half-way through a real run. Tools without local state are left to the
 * checks they already had (preconditions, verify probes): a plan that uses no
 * local-state tool is not dry-run at all.
 */
import { randomUUID } from "node:crypto";
import type { Registry } from "../registry/registry.js";
import { run } from "../runner/index.js";
import type { Plan } from "../schema/types.generated.js";

export type Proof =
  /** `proven: false` when the plan has no local-state step to prove; `unproven` lists steps the dry run skipped. */
  | { ok: true; proven: boolean; unproven: string[]; ms: number }
  /** The step that would fail, its tool, and the world's reason. */
  | { ok: false; step?: string; tool?: string; expected?: string; code: string; message: string; ms: number };

export type Prover = (plan: Plan) => Promise<Proof>;

/** A prover over `registry`; planning calls it once per candidate plan. */
export function prover(registry: Registry): Prover {
  return (plan) => provePlan(plan, registry);
}

export async function provePlan(plan: Plan, registry: Registry): Promise<Proof> {
  const t0 = performance.now();
  const ms = () => performance.now() - t0;
  if (!plan.steps.some((s) => registry.get(s.tool)?.localState))
    return { ok: true, proven: false, unproven: [], ms: 0 };
  let result: Awaited<ReturnType<typeof run>>;
  try {
    result = await run(plan, {
      registry,
      dryRun: true,
      // The scratch copy is named after the run: concurrent planners on one state folder must not share it.
      runId: `proof-${randomUUID().slice(0, 8)}`,
      // The context was read a moment ago; a drift here is someone else's change, not this plan's failure.
      allowDrift: true,
      env: secretsStandIn(),
      retryDelayMs: 1,
    });
  } catch (error) {
    const e = error as { code?: string; message?: string };
    return { ok: false, code: e.code ?? "PROOF_ERROR", message: e.message ?? String(error), ms: ms() };
  }
  switch (result.status) {
    case "succeeded": {
      const unproven = Object.entries(result.steps)
        .filter(([, o]) => o.status === "skipped")
        .map(([id]) => id);
      return { ok: true, proven: true, unproven, ms: ms() };
    }
    case "rolled-back":
    case "rollback-incomplete": {
      const step = result.failedStep;
      const failed = step ? plan.steps.find((s) => s.id === step) : undefined;
      return {
        ok: false,
        ...(step ? { step } : {}),
        ...(failed ? { tool: failed.tool, expected: failed.expectedOutcome } : {}),
        code: result.error?.toolCode ?? result.error?.code ?? "STEP_FAILED",
        message: result.error?.message ?? result.reason,
        ms: ms(),
      };
    }
    case "invalid":
      return {
        ok: false,
        code: "PLAN_INVALID",
        message: result.problems.map((p) => p.message).join("; "),
        ms: ms(),
      };
    default:
      return { ok: false, code: "PROOF_ERROR", message: `the dry run ended ${result.status}`, ms: ms() };
  }
}

/** "step create_bucket (sandbox.storage.createBucket) would fail: QUOTA_EXCEEDED: …" */
export function describeFailure(proof: Extract<Proof, { ok: false }>): string {
  const where = proof.step ? `step ${proof.step}${proof.tool ? ` (${proof.tool})` : ""}` : "the plan";
  // The runner says "sandbox.db.create failed: ALREADY_EXISTS: …"; the tool is named already.
  const prefix = `${proof.tool} failed: `;
  const bare = proof.tool && proof.message.startsWith(prefix) ? proof.message.slice(prefix.length) : proof.message;
  const message = bare.includes(proof.code) ? bare : `${proof.code}: ${bare}`;
  // An output that breaks `expect` says little on its own; the outcome it stands for says what went wrong.
  if (proof.code === "EXPECT_FAILED" && proof.expected)
    return `${where} would not reach its outcome (${JSON.stringify(proof.expected)}): ${message}`;
  return `${where} would fail: ${message}`;
}

/**
 * Secrets are not the planner's to read: the dry run gets the real value
 * when the environment has it, else a stand-in, so a plan is not refused for
 * a secret that will be set at run time.
 */
function secretsStandIn(): Record<string, string> {
  return new Proxy({} as Record<string, string>, {
    get: (_t, name) => (typeof name === "string" ? process.env[name] || `planfile-proof-${name}` : undefined),
  });
}
