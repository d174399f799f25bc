// Validator throughput for 20- and 200-step plans (the runner and `validate` read the digest; the planner's repair loop does not), schema compiled once (issue: ≥ 5,000 20-step plans/s on one core, linear growth).
import { stringify } from "yaml";
import { loadRegistry } from "../src/registry/index.js";
import type { Plan } from "../src/schema/types.generated.js";
import { validatePlanData, validatePlanText } from "../src/validator/index.js";
import { chainReadingFirst, unknownDependencies } from "./hostile-plans.js";
import { median, type BenchTable } from "./table.js";

/** A plan of `n` steps: pairs of dump → upload chained by references, with rollbacks. */
export function syntheticPlan(n: number): Plan {
  const steps: Plan["steps"][number][] = [];
  for (let i = 0; steps.length < n; i++) {
    steps.push({
      id: `dump-${i}`,
      tool: "demo.db.dump",
      dependsOn: i > 0 ? [`upload-${i - 1}`] : [],
      args: { database: i === 0 ? "${{ context.source.name }}" : `db${i}` },
      expectedOutcome: "A dump exists.",
      expect: "outputs.bytes > 0",
      rollback: { tool: "demo.storage.delete", args: { path: `\${{ steps.dump-${i}.outputs.path }}` } },
    });
    if (steps.length < n)
      steps.push({
        id: `upload-${i}`,
        tool: "demo.storage.put",
        dependsOn: [`dump-${i}`],
        args: {
          bucket: "migrations",
          file: `\${{ steps.dump-${i}.outputs.path }}`,
          copies: `\${{ steps.dump-${i}.outputs.bytes }}`,
        },
        expectedOutcome: "The dump is in the bucket.",
        rollback: {
          tool: "demo.storage.delete",
          args: { bucket: "migrations", key: `\${{ steps.upload-${i}.outputs.key }}` },
        },
      });
  }
  return {
    apiVersion: "planfile/v1",
    kind: "Plan",
    metadata: { name: `synthetic-${n}`, goal: `A synthetic ${n}-step plan` },
    context: [
      {
        id: "source",
        tool: "demo.db.describe",
        args: { name: "orders" },
        output: { name: "orders", region: "us-east-1", sizeGb: 40 },
      },
    ],
    requiresConfirmation: false,
    riskySteps: [],
    steps: steps as Plan["steps"],
  };
}

/** Plans per second, as the median of several one-second-ish batches. */
function throughput(fn: () => void, batch: number, rounds = 7): { perSecond: number; msPerPlan: number } {
  for (let i = 0; i < batch; i++) fn(); // warm up JIT and ajv caches
  const perPlan: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    for (let i = 0; i < batch; i++) fn();
    perPlan.push((performance.now() - t0) / batch);
  }
  const ms = median(perPlan);
  return { perSecond: 1000 / ms, msPerPlan: ms };
}

export default async function (): Promise<BenchTable[]> {
  const registry = await loadRegistry({ toolsDir: "test/fixtures/tools", stateDir: ".planfile/bench" });
  const rows: (string | number)[][] = [];
  const results: Record<string, { data: number; text: number }> = {};
  for (const n of [20, 200]) {
    const plan = syntheticPlan(n);
    const text = stringify(plan);
    if (!validatePlanData(plan, registry).ok) throw new Error(`synthetic ${n}-step plan is invalid`);
    // Batches sized so a round takes about half a second on this machine.
    const data = throughput(() => validatePlanData(plan, registry), n === 20 ? 4000 : 400);
    const withDigest = throughput(
      () => {
        const r = validatePlanData(plan, registry);
        if (r.ok) void r.digest;
      },
      n === 20 ? 2000 : 200,
    );
    const fromText = throughput(() => validatePlanText(text, "bench.yaml", registry), n === 20 ? 150 : 15);
    results[n] = { data: data.msPerPlan, text: fromText.msPerPlan };
    rows.push([
      `${n} steps`,
      "parsed plan (schema + rules)",
      Math.round(data.perSecond),
      data.msPerPlan,
      (data.msPerPlan * 1000) / n,
    ]);
    rows.push([
      `${n} steps`,
      "parsed plan (schema + rules + digest)",
      Math.round(withDigest.perSecond),
      withDigest.msPerPlan,
      (withDigest.msPerPlan * 1000) / n,
    ]);
    rows.push([
      `${n} steps`,
      "YAML text (parse + above; positions only for problems)",
      Math.round(fromText.perSecond),
      fromText.msPerPlan,
      (fromText.msPerPlan * 1000) / n,
    ]);
  }
  const growth = (k: "data" | "text") => results[200]![k] / results[20]![k];
  return [
    hostile(registry),
    {
      title: "Validator throughput (one core, schema compiled once)",
      columns: ["plan", "input", "plans/s (median)", "ms/plan", "µs/step"],
      rows,
      notes: [
        `Cost ratio 200-step / 20-step: parsed ${growth("data").toFixed(1)}x, text ${growth("text").toFixed(1)}x (10x = linear).`,
        `Target ≥ 5,000 20-step plans/s: parsed ${1000 / results[20]!.data >= 5000 ? "met" : "NOT met"}, text ${1000 / results[20]!.text >= 5000 ? "met" : "NOT met"}.`,
      ],
    },
  ];
}

/** Milliseconds for one validation (median of 3), and the bytes of its messages. */
function once(plan: Plan, registry: Parameters<typeof validatePlanData>[1]): { ms: number; bytes: number } {
  const times: number[] = [];
  let bytes = 0;
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    const result = validatePlanData(plan, registry);
    times.push(performance.now() - t0);
    bytes = result.ok ? 0 : result.problems.reduce((n, p) => n + p.message.length, 0);
  }
  return { ms: median(times), bytes };
}

/** Plans shaped to make validation quadratic (issue 14); each size doubles, so a ratio near 2 is linear. */
function hostile(registry: Parameters<typeof validatePlanData>[1]): BenchTable {
  const cases: [string, (n: number) => Plan, number][] = [
    ["chain, every step reads steps.s0", chainReadingFirst, 8000],
    ["each step depends on an unknown step", (n) => unknownDependencies(n), 2500],
    ["each step depends on an invalid id (schema)", (n) => unknownDependencies(n, true), 2500],
  ];
  const rows: (string | number)[][] = [];
  for (const [name, build, half] of cases) {
    const small = once(build(half), registry);
    const large = once(build(half * 2), registry);
    rows.push([name, half * 2, large.ms, (large.ms / small.ms).toFixed(2), Math.round(large.bytes / 1024)]);
  }
  return {
    title: "Hostile plans (validation must stay linear)",
    columns: ["plan", "steps", "ms (median of 3)", "ratio to half the steps", "messages KiB"],
    rows,
    notes: ["Targets: the 16,000-step chain under 1,000 ms; ratios near 2 (4 would be quadratic)."],
  };
}
