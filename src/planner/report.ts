/** What the CLI tells a person (stderr) or a machine (--json) about a planning run. */
import type { GoalReading, PlanResult } from "./types.js";
import { quoteGoal } from "./goal/limits.js";
import { formatProblem } from "./judge.js";

export function formatReport(goal: string, result: PlanResult, output?: string): string {
  const s = result.stats;
  const reads = result.probes.filter((p) => p.ok).length;
  const unread = result.probes.length - reads;
  const readLine = `context: ${reads} read${reads === 1 ? "" : "s"}${unread > 0 ? `, ${unread} failed` : ""}`;
  if (result.ok) {
    const p = result.plan.metadata.planner!;
    const by = [p.name, p.model, p.prompt].filter(Boolean).join(", ");
    const risky =
      result.plan.riskySteps.length > 0
        ? `${result.plan.riskySteps.length} risky (${result.plan.riskySteps.join(", ")})`
        : "none risky";
    const llm =
      s.llmCalls > 0 ? `; ${s.llmCalls} model call${s.llmCalls === 1 ? "" : "s"}, ${Math.round(s.llmMs)} ms` : "";
    const proofs = s.proofs ?? 0;
    const proven =
      proofs > 0 ? `; proven by ${proofs} dry run${proofs === 1 ? "" : "s"}, ${Math.round(s.proveMs ?? 0)} ms` : "";
    return `planned ${result.plan.steps.length} steps, ${risky}, by ${by} in ${Math.round(s.wallMs)} ms (${readLine}${llm}${proven})${output ? `; wrote ${output}` : ""}\n${inferredLine(result.reading)}`;
  }
  const lines = [`could not plan: ${quoteGoal(goal)}`, `reason: ${result.reason}`, result.message];
  for (const a of result.attempts) {
    lines.push(
      `attempt ${a.n} (${a.prompt}): ${a.problems.length === 0 ? "ok" : `${a.problems.length} problem${a.problems.length === 1 ? "" : "s"}`}`,
    );
    for (const p of a.problems.slice(0, 20)) lines.push(`  - ${formatProblem(p)}`);
  }
  lines.push(`${readLine}; nothing was written.`);
  return `${lines.join("\n")}\n`;
}

/** What the goal did not say and the world filled in, so the user sees the assumption before running it. */
function inferredLine(reading: GoalReading | undefined): string {
  const slots = Object.entries(reading?.slots ?? {});
  if (!slots.some(([, v]) => v.how === "inferred")) return "";
  const said = slots
    .filter(([, v]) => v.how !== "default")
    .map(([name, v]) => `${name} ${v.value}${v.how === "inferred" ? " (from the world)" : ""}`);
  return `read as ${reading!.method}: ${said.join(", ")}\n`;
}

export function jsonReport(goal: string, result: PlanResult, output?: string): object {
  const probes = result.probes.map((p) =>
    p.ok
      ? { id: p.entry.id, tool: p.entry.tool, ok: true, ms: Math.round(p.ms) }
      : { id: p.id, tool: p.tool, ok: false, error: p.message, ms: Math.round(p.ms) },
  );
  const stats = Object.fromEntries(
    Object.entries(result.stats).map(([k, v]) => [k, typeof v === "number" ? Math.round(v) : v]),
  );
  if (result.ok)
    return {
      ok: true,
      goal,
      output: output ?? null,
      digest: result.digest,
      plan: result.plan,
      ...(result.reading ? { reading: result.reading } : {}),
      attempts: result.attempts,
      probes,
      stats,
    };
  return {
    ok: false,
    goal,
    reason: result.reason,
    message: result.message,
    attempts: result.attempts,
    probes,
    stats,
    problems: result.problems ?? [],
  };
}
