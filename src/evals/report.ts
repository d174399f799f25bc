/**
 * Reading promptfoo's results file back: one row per test run, tables per
 * scenario and metric, pass^k over repeats, and the count check CI relies on
 * (promptfoo exits 0 when a filter matches nothing).
 */
import { readFileSync } from "node:fs";
import { METRICS, type MetricName } from "./metrics.js";

export interface MetricCell {
  pass: boolean;
  score: number;
  reason: string;
}

export interface ResultRow {
  scenario: string;
  provider: string;
  success: boolean;
  error?: string;
  metrics: Partial<Record<MetricName, MetricCell>>;
  f1: { node: number; edge: number; args: number } | undefined;
  planMs: number;
  gradeMs: number;
}

interface RawResult {
  provider?: { id?: string; label?: string };
  vars?: Record<string, unknown>;
  success?: boolean;
  error?: string;
  failureReason?: number;
  latencyMs?: number;
  namedScores?: Record<string, number>;
  gradingResult?: {
    componentResults?: {
      pass: boolean;
      score: number;
      reason: string;
      assertion?: { metric?: string };
      metadata?: { timings?: { totalMs?: number } };
    }[];
  } | null;
}

export function readResults(file: string): {
  rows: ResultRow[];
  stats: { successes: number; failures: number; errors: number; durationMs?: number };
} {
  const data = JSON.parse(readFileSync(file, "utf8")) as {
    results: {
      results: RawResult[];
      stats: { successes: number; failures: number; errors: number; durationMs?: number };
    };
  };
  return { rows: data.results.results.map(toRow), stats: data.results.stats };
}

function toRow(r: RawResult): ResultRow {
  const metrics: Partial<Record<MetricName, MetricCell>> = {};
  let gradeMs = 0;
  for (const c of r.gradingResult?.componentResults ?? []) {
    const name = c.assertion?.metric as MetricName | undefined;
    if (name && (METRICS as readonly string[]).includes(name))
      metrics[name] = { pass: c.pass, score: c.score, reason: c.reason };
    gradeMs = Math.max(gradeMs, c.metadata?.timings?.totalMs ?? 0);
  }
  const s = r.namedScores ?? {};
  const f1 = "node-f1" in s ? { node: s["node-f1"]!, edge: s["edge-f1"] ?? 0, args: s["arg-f1"] ?? 0 } : undefined;
  return {
    scenario: String(r.vars?.scenario ?? "?"),
    // Providers given on promptfoo's command line come back with an empty label: name them by file.
    provider: r.provider?.label || (r.provider?.id ?? "?").replace(/^file:\/\/.*\/([^/]+)\.ts$/, "$1"),
    success: r.success === true,
    ...(r.error ? { error: r.error } : {}),
    metrics,
    f1,
    planMs: Math.round(r.latencyMs ?? 0),
    gradeMs,
  };
}

/** pass^k (τ-bench): the share of scenarios where all k repeats passed; `metric` narrows it to one metric. */
export function passHatK(rows: ResultRow[], metric?: MetricName): number {
  const groups = groupBy(rows, (r) => r.scenario);
  if (groups.size === 0) return 0;
  let all = 0;
  for (const runs of groups.values())
    if (runs.every((r) => (metric ? r.metrics[metric]?.pass === true : r.success))) all++;
  return all / groups.size;
}

export function formatReport(rows: ResultRow[], repeat: number): string {
  const out: string[] = [];
  for (const [provider, runs] of groupBy(rows, (r) => r.provider)) {
    out.push(`\nprovider ${provider} — ${groupBy(runs, (r) => r.scenario).size} scenarios × ${repeat} repeat(s)`);
    const header = [
      "scenario",
      ...METRICS.map(short),
      "F1 node/edge/args",
      "plan ms",
      "grade ms",
      repeat > 1 ? "pass^k" : "result",
    ];
    const table: string[][] = [header];
    for (const [scenario, reps] of groupBy(runs, (r) => r.scenario)) {
      const cell = (m: MetricName) => {
        const passed = reps.filter((r) => r.metrics[m]?.pass === true).length;
        return repeat > 1 ? `${passed}/${reps.length}` : passed === reps.length ? "✓" : "✗";
      };
      const f1 = reps[0]!.f1;
      const mean = (f: (r: ResultRow) => number) => Math.round(reps.reduce((n, r) => n + f(r), 0) / reps.length);
      const ok = reps.every((r) => r.success);
      table.push([
        scenario,
        ...METRICS.map(cell),
        f1 ? `${fix(f1.node)}/${fix(f1.edge)}/${fix(f1.args)}` : "-",
        String(mean((r) => r.planMs)),
        String(mean((r) => r.gradeMs)),
        ok ? "PASS" : "FAIL",
      ]);
    }
    const totals = [
      "all",
      ...METRICS.map((m) => pct(runs.filter((r) => r.metrics[m]?.pass).length / runs.length)),
      "",
      "",
      "",
      pct(runs.filter((r) => r.success).length / runs.length),
    ];
    table.push(totals);
    out.push(renderTable(table));
    if (repeat > 1)
      out.push(
        `pass^${repeat}: ${fix(passHatK(runs))} overall; per metric: ${METRICS.map((m) => `${m} ${fix(passHatK(runs, m))}`).join(", ")}`,
      );
    for (const r of runs.filter((x) => !x.success)) {
      const failed = METRICS.filter((m) => r.metrics[m] && !r.metrics[m]!.pass).map(
        (m) => `${m}: ${r.metrics[m]!.reason}`,
      );
      const why = failed.length > 0 ? failed : [`error: ${r.error ?? "no grade recorded"}`];
      out.push(`  ✗ ${r.scenario}: ${why.join("\n      ")}`);
    }
  }
  return out.join("\n");
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

function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) map.set(key(item), [...(map.get(key(item)) ?? []), item]);
  return map;
}
