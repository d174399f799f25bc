/**
 * The system under test, as promptfoo providers see it: the planner (context
 * gathering, decompose prompt, repair loop) asked for a goal against a fresh
 * sandbox world from the scenario's fixture. The output is the plan YAML.
 */
import { formatReport, loadMethods, plan, type Llm, type MethodLibrary } from "../planner/index.js";
import { freshSandbox, TOOLS_DIR } from "./sandbox.js";

export interface PlannerResponse {
  output: string;
  error?: string;
  latencyMs: number;
  tokenUsage?: { prompt: number; completion: number; total: number };
  metadata: {
    planner: string;
    ok: boolean;
    reason?: string;
    message?: string;
    /** What `tsx src/plan.ts` prints on stderr for a refusal. */
    stderr?: string;
    attempts: number;
    probes: number;
    steps: number;
  };
}

let methods: Promise<MethodLibrary> | undefined;

export async function planForEval(goal: string, fixture: string, llm?: Llm): Promise<PlannerResponse> {
  const t0 = performance.now();
  const box = await freshSandbox(fixture);
  try {
    const result = await plan(goal, {
      registry: box.registry,
      // The offline planner decomposes with the methods; the model path ranks the tools it shows by them.
      methods: await (methods ??= loadMethods(TOOLS_DIR)),
      ...(llm ? { llm } : {}),
    });
    const latencyMs = Math.round(performance.now() - t0);
    const usage = result.attempts.reduce(
      (u, a) => ({
        prompt: u.prompt + (a.usage?.promptTokens ?? 0),
        completion: u.completion + (a.usage?.completionTokens ?? 0),
        total: u.total + (a.usage?.totalTokens ?? 0),
      }),
      { prompt: 0, completion: 0, total: 0 },
    );
    const base = { planner: result.stats.planner, attempts: result.attempts.length, probes: result.probes.length };
    if (result.ok)
      return {
        output: result.yaml,
        latencyMs,
        tokenUsage: usage,
        metadata: { ...base, ok: true, steps: result.plan.steps.length },
      };
    // A refusal is a graded failure, not an eval error: the assertions say why every metric failed.
    return {
      output: "",
      latencyMs,
      tokenUsage: usage,
      metadata: {
        ...base,
        ok: false,
        reason: result.reason,
        message: result.message,
        stderr: formatReport(goal, result),
        steps: 0,
      },
    };
  } finally {
    box.dispose();
  }
}
