/**
 * Runs promptfoo on promptfooconfig.yaml as a child process, with all of its
 * state inside the project, then reads the results file back and checks the
 * number of tests: cases matched (scenario wordings and must-refuse goals) ×
 * providers × repeats, all passed.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { resolve } from "node:path";
import { evalCases, selectCases } from "./cases.js";
import { readResults, type ResultRow } from "./report.js";

export const PROMPTFOO_BIN = "node_modules/.bin/promptfoo";
/** Where a suite keeps its state, under the state folder (default `.planfile/`). */
export function suitePaths(stateDir = ".planfile") {
  return {
    evals: resolve(stateDir, "evals"),
    results: resolve(stateDir, "evals", "results.json"),
    promptfoo: resolve(stateDir, "promptfoo"),
  };
}

export const PROVIDERS = {
  offline: { file: "file://evals/providers/offline.ts", label: "offline" },
  openai: { file: "file://evals/providers/openai.ts", label: "openai" },
} as const;
export type ProviderName = keyof typeof PROVIDERS;

export interface SuiteOptions {
  providers: ProviderName[];
  repeat: number;
  /** A regular expression over case names (`migrate-orders`, `migrate-orders/2`, `refusals/3`). */
  filter?: string;
  /** Where promptfoo's own output goes; default: this process's stderr. */
  stdio?: "inherit" | "ignore";
  /** State folder for results, promptfoo's own files and the sandboxes (default `.planfile`). */
  stateDir?: string;
  /** Another promptfoo config with its own providers and tests (the replay eval), and how many tests it holds. */
  config?: { file: string; tests: number };
}

export interface SuiteResult {
  rows: ResultRow[];
  expected: number;
  ran: number;
  passed: number;
  wallMs: number;
  promptfooExit: number | null;
  /** Why the suite failed, if it did, in words. */
  problems: string[];
}

/** The providers to run when none is named: offline always, openai when a key or base URL is set. */
export function defaultProviders(env: NodeJS.ProcessEnv = process.env): ProviderName[] {
  return env.OPENAI_API_KEY || env.OPENAI_BASE_URL ? ["offline", "openai"] : ["offline"];
}

export async function runSuite(options: SuiteOptions): Promise<SuiteResult> {
  const cases = selectCases(evalCases(), options.filter);
  const expected = options.config
    ? options.config.tests * options.repeat
    : cases.length * options.providers.length * options.repeat;

  const paths = suitePaths(options.stateDir);
  const resultsFile = paths.results;
  mkdirSync(paths.promptfoo, { recursive: true });
  mkdirSync(paths.evals, { recursive: true });
  if (existsSync(resultsFile)) rmSync(resultsFile); // a stale file must not pass for this run's results
  const args = [
    "eval",
    "-c",
    options.config?.file ?? "promptfooconfig.yaml",
    "-o",
    resultsFile,
    "--no-cache",
    "--no-progress-bar",
    "--no-table",
    "--repeat",
    String(options.repeat),
  ];
  if (options.providers.length > 0) args.push("--providers", ...options.providers.map((p) => PROVIDERS[p].file));
  if (options.filter) args.push("--filter-pattern", options.filter);

  const t0 = performance.now();
  const exit = await new Promise<number | null>((done, fail) => {
    const child = spawn(PROMPTFOO_BIN, args, {
      stdio: ["ignore", options.stdio ?? "inherit", options.stdio ?? "inherit"],
      env: {
        ...process.env,
        PROMPTFOO_CONFIG_DIR: paths.promptfoo,
        PLANFILE_EVAL_DIR: paths.evals,
        PROMPTFOO_DISABLE_TELEMETRY: "1",
        PROMPTFOO_DISABLE_UPDATE: "1",
        // Its "Node 20 support ended" notice is printed regardless; the pinned 0.121.20 runs on Node 20.
      },
    });
    child.on("error", fail);
    child.on("exit", (code) => done(code));
  });
  const wallMs = Math.round(performance.now() - t0);

  const problems: string[] = [];
  if (!existsSync(resultsFile)) {
    problems.push(
      `promptfoo wrote no results file (exit ${exit}); run \`${PROMPTFOO_BIN} ${args.join(" ")}\` to see why`,
    );
    return { rows: [], expected, ran: 0, passed: 0, wallMs, promptfooExit: exit, problems };
  }
  const { rows, stats } = readResults(resultsFile);
  const passed = rows.filter((r) => r.success).length;
  if (expected === 0) problems.push(`no case matches --filter ${options.filter}`);
  if (rows.length !== expected)
    problems.push(
      `promptfoo ran ${rows.length} test(s); expected ${expected} (${cases.length} case(s) × ${options.providers.length} provider(s) × ${options.repeat} repeat(s))`,
    );
  if (passed !== rows.length)
    problems.push(`${rows.length - passed} of ${rows.length} test(s) failed (${stats.errors} error(s))`);
  return { rows, expected, ran: rows.length, passed, wallMs, promptfooExit: exit, problems };
}
