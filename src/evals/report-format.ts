/**
 * The eval report for people: per provider, a table per scenario and metric
 * with each scenario's pass rate over its wordings, the wordings themselves
 * with their pass rates, the must-refuse goals, and the overall rates.
 */
import { METRICS, type MetricName } from "./metrics.js";
import { groupBy, passHatK, type ResultRow } from "./report.js";

export function formatReport(rows: ResultRow[], repeat: number): string {
  const out: string[] = [];
  for (const [provider, runs] of groupBy(rows, (r) => r.provider)) {
    const scenarioRuns = runs.filter((r) => r.kind === "scenario");
    const refusalRuns = runs.filter((r) => r.kind === "refusal");
    const scenarios = groupBy(scenarioRuns, (r) => r.scenario);
    const wordings = groupBy(scenarioRuns, (r) => r.case);
    out.push(
      `\nprovider ${provider} — ${scenarios.size} scenarios, ${wordings.size} wordings, ${groupBy(refusalRuns, (r) => r.case).size} must-refuse goals × ${repeat} repeat(s)`,
    );
    if (scenarioRuns.length > 0) {
      out.push(scenarioTable(scenarios, repeat));
      out.push(...variantLines(scenarios, repeat));
    }
    if (refusalRuns.length > 0) out.push(...refusalLines(refusalRuns, repeat));
    if (repeat > 1)
      out.push(
        `pass^${repeat}: ${fix(passHatK(runs))} overall; per metric: ${METRICS.map((m) => `${m} ${fix(passHatK(scenarioRuns, m))}`).join(", ")}`,
      );
    out.push(rateLine(scenarioRuns, refusalRuns));
    for (const r of runs.filter((x) => !x.success)) out.push(`  ✗ ${r.case}: ${whyFailed(r).join("\n      ")}`);
  }
  return out.join("\n");
}

function scenarioTable(scenarios: Map<string, ResultRow[]>, repeat: number): string {
  const header = ["scenario", ...METRICS.map(short), "F1 node/edge/args", "plan ms", "grade ms", "pass rate"];
  const table: string[][] = [header];
  for (const [scenario, reps] of scenarios) {
    const single = reps.length === 1;
    const cell = (m: MetricName) => {
      const passed = reps.filter((r) => r.metrics[m]?.pass === true).length;
      return single ? (passed === 1 ? "✓" : "✗") : `${passed}/${reps.length}`;
    };
    const f1 = (reps.find((r) => r.variant === 0) ?? reps[0]!).f1;
    const mean = (f: (r: ResultRow) => number) => Math.round(reps.reduce((n, r) => n + f(r), 0) / reps.length);
    table.push([
      scenario,
      ...METRICS.map(cell),
      f1 ? `${fix(f1.node)}/${fix(f1.edge)}/${fix(f1.args)}` : "-",
      String(mean((r) => r.planMs)),
      String(mean((r) => r.gradeMs)),
      rate(passingCases(reps), groupBy(reps, (r) => r.case).size, repeat),
    ]);
  }
  const all = [...scenarios.values()].flat();
  table.push([
    "all",
    ...METRICS.map((m) => pct(all.filter((r) => r.metrics[m]?.pass).length / all.length)),
    "",
    "",
    "",
    rate(passingCases(all), groupBy(all, (r) => r.case).size, repeat),
  ]);
  return renderTable(table);
}

/** One line per wording of the scenarios that have more than one: its case, its pass rate over repeats, the goal. */
function variantLines(scenarios: Map<string, ResultRow[]>, repeat: number): string[] {
  const lines: string[] = [];
  for (const reps of scenarios.values()) {
    const cases = groupBy(reps, (r) => r.case);
    if (cases.size < 2) continue;
    for (const [name, runs] of cases) {
      const passed = runs.filter((r) => r.success).length;
      const mark = passed === runs.length ? "✓" : "✗";
      lines.push(`  ${mark} ${name.padEnd(34)} ${`${passed}/${runs.length}`.padStart(5)}  ${quote(runs[0]!.goal)}`);
    }
  }
  return lines.length > 0 ? [`\nwordings (pass rate over ${repeat} repeat(s) each):`, ...lines] : [];
}

function refusalLines(runs: ResultRow[], repeat: number): string[] {
  const lines = [`\nmust-refuse goals (refused with the expected reason and text, nothing planned):`];
  for (const [name, reps] of groupBy(runs, (r) => r.case)) {
    const passed = reps.filter((r) => r.success).length;
    const mark = passed === reps.length ? "✓" : "✗";
    lines.push(`  ${mark} ${name.padEnd(14)} ${`${passed}/${reps.length}`.padStart(5)}  ${quote(reps[0]!.goal)}`);
  }
  lines.push(`  refusals: ${rate(passingCases(runs), groupBy(runs, (r) => r.case).size, repeat)}`);
  return lines;
}

function rateLine(scenarioRuns: ResultRow[], refusalRuns: ResultRow[]): string {
  const part = (label: string, rows: ResultRow[]) => {
    const total = groupBy(rows, (r) => r.case).size;
    return total === 0 ? [] : [`${label} ${passingCases(rows)}/${total} (${pct(passingCases(rows) / total)})`];
  };
  const parts = [
    ...part("scenario wordings", scenarioRuns),
    ...part("must-refuse goals", refusalRuns),
    ...part("overall", [...scenarioRuns, ...refusalRuns]),
  ];
  return `\npass rate: ${parts.join(" · ")}`;
}

function whyFailed(r: ResultRow): string[] {
  if (r.kind === "refusal") return [r.refused?.reason ?? `error: ${r.error ?? "no grade recorded"}`];
  const failed = METRICS.filter((m) => r.metrics[m] && !r.metrics[m]!.pass).map((m) => `${m}: ${r.metrics[m]!.reason}`);
  return failed.length > 0 ? [`${quote(r.goal)}`, ...failed] : [`error: ${r.error ?? "no grade recorded"}`];
}

/** Cases (wordings or refusals) whose every repeat passed. */
function passingCases(rows: ResultRow[]): number {
  return [...groupBy(rows, (r) => r.case).values()].filter((runs) => runs.every((r) => r.success)).length;
}

function rate(passed: number, total: number, repeat: number): string {
  const label = total === 1 && repeat === 1 ? (passed === 1 ? "PASS" : "FAIL") : `${passed}/${total}`;
  return total === 1 && repeat === 1 ? label : `${label} ${pct(passed / total)}`;
}

const SHORT: Record<MetricName, string> = {
  "schema-valid": "schema",
  "tools-args-valid": "tools+args",
  "min-steps": "≥5 steps",
  executable: "executes",
  "goal-reached": "goal",
  "risky-flagged": "risky",
  "rollback-fidelity": "rollback",
  structure: "structure",
  "forbidden-absent": "forbidden",
};
const short = (m: MetricName) => SHORT[m];
const fix = (n: number) => n.toFixed(2);
const pct = (n: number) => `${Math.round(n * 100)}%`;
const quote = (goal: string) => JSON.stringify(goal.length > 80 ? `${goal.slice(0, 77)}…` : goal);

function renderTable(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => [...(r[i] ?? "")].length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c + " ".repeat(widths[i]! - [...c].length))
      .join("  ")
      .trimEnd();
  return [
    line(rows[0]!),
    widths.map((w) => "-".repeat(w)).join("  "),
    ...rows.slice(1, -1).map(line),
    widths.map((w) => "-".repeat(w)).join("  "),
    line(rows.at(-1)!),
  ].join("\n");
}
