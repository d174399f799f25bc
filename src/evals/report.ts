/**
 * Reading promptfoo's results file back: one row per test run (a scenario's
 * wording, or a must-refuse goal), and pass^k over repeats. The tables are
 * drawn by report-format.ts.
 */
import { readFileSync } from "node:fs";
import { METRICS, type MetricName } from "./metrics.js";

export interface MetricCell {
  pass: boolean;
  score: number;
  reason: string;
}

export interface ResultRow {
  /** `migrate-orders`, `migrate-orders/3`, `refusals/2`. */
  case: string;
  kind: "scenario" | "refusal";
  /** The scenario's name (`refusals` for must-refuse goals). */
  scenario: string;
  /** 0 for a scenario's own goal, n for its n-th variant; for a refusal, its position in the file. */
  variant: number;
  goal: string;
  provider: string;
  success: boolean;
  error?: string;
  metrics: Partial<Record<MetricName, MetricCell>>;
  /** A must-refuse goal's verdict. */
  refused?: MetricCell;
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
  let refused: MetricCell | undefined;
  let gradeMs = 0;
  for (const c of r.gradingResult?.componentResults ?? []) {
    const name = c.assertion?.metric as MetricName | undefined;
    if (name && (METRICS as readonly string[]).includes(name))
      metrics[name] = { pass: c.pass, score: c.score, reason: c.reason };
    if (c.assertion?.metric === "refused") refused = { pass: c.pass, score: c.score, reason: c.reason };
    gradeMs = Math.max(gradeMs, c.metadata?.timings?.totalMs ?? 0);
  }
  const s = r.namedScores ?? {};
  const f1 = "node-f1" in s ? { node: s["node-f1"]!, edge: s["edge-f1"] ?? 0, args: s["arg-f1"] ?? 0 } : undefined;
  const scenario = String(r.vars?.scenario ?? "?");
  return {
    case: String(r.vars?.case ?? scenario),
    kind: r.vars?.kind === "refusal" ? "refusal" : "scenario",
    scenario,
    variant: Number(r.vars?.variant ?? 0),
    goal: String(r.vars?.goal ?? ""),
    // Providers given on promptfoo's command line come back with an empty label: name them by file.
    provider: r.provider?.label || (r.provider?.id ?? "?").replace(/^file:\/\/.*\/([^/]+)\.ts$/, "$1"),
    success: r.success === true,
    ...(r.error ? { error: r.error } : {}),
    metrics,
    ...(refused ? { refused } : {}),
    f1,
    planMs: Math.round(r.latencyMs ?? 0),
    gradeMs,
  };
}

/** pass^k (τ-bench): the share of cases where all k repeats passed; `metric` narrows it to one metric. */
export function passHatK(rows: ResultRow[], metric?: MetricName): number {
  const groups = groupBy(rows, (r) => r.case);
  if (groups.size === 0) return 0;
  let all = 0;
  for (const runs of groups.values())
    if (runs.every((r) => (metric ? r.metrics[metric]?.pass === true : r.success))) all++;
  return all / groups.size;
}

export function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) map.set(key(item), [...(map.get(key(item)) ?? []), item]);
  return map;
}
