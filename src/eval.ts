#!/usr/bin/env -S npx tsx
// Thin CLI over the eval suite (src/evals): run promptfoo on the scenarios, print a table per scenario and metric.
import { parseCli, runMain, usage, EXIT } from "./cli/main.js";
import { relative } from "node:path";
import { defaultProviders, formatReport, PROVIDERS, runSuite, suitePaths, type ProviderName } from "./evals/index.js";

const HELP = `
Usage: npm run eval -- [options]      (or: tsx src/eval.ts [options])

Plans every scenario in evals/scenarios/ with each provider, runs each plan in a
fresh sandbox, and grades it on every metric. Exits 0 only when the number of
tests run equals scenarios × providers × repeats and all of them passed.

Options:
  --provider NAME   offline | openai | all (default: offline, plus openai when
                    OPENAI_API_KEY or OPENAI_BASE_URL is set)
  --repeat K        run each test K times and report pass^K (default 1)
  --filter REGEX    only scenarios whose name matches
  --quiet           hide promptfoo's own output
  --state-dir DIR   where results, promptfoo's files and the sandboxes go
                    (default .planfile; results in DIR/evals/results.json)
  --suite NAME      sandbox (default) | postgres: real-systems scenarios in
                    evals/postgres/ against the running lab of --state-dir
                    (start it first: tsx src/lab.ts up)

Everything it writes stays under the state folder.
`;

runMain(async () => {
  const { values, positionals } = parseCli(
    {
      options: {
        provider: { type: "string" },
        repeat: { type: "string" },
        filter: { type: "string" },
        quiet: { type: "boolean" },
        "state-dir": { type: "string" },
        suite: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    },
    HELP,
  );
  if (positionals.length > 0) throw usage(`unexpected arguments: ${positionals.join(" ")}\n${HELP}`);
  if (values.suite === "postgres") {
    const { formatPgReport, runPostgresSuite } = await import("../evals/postgres/suite.js");
    const result = await runPostgresSuite({ stateDir: values["state-dir"], filter: values.filter });
    process.stdout.write(`${formatPgReport(result)}\n`);
    return result.rows.length > 0 && result.passed === result.rows.length ? EXIT.ok : EXIT.failed;
  }
  if (values.suite !== undefined && values.suite !== "sandbox")
    throw usage(`--suite must be sandbox or postgres, not ${values.suite}`);
  const repeat = Number(values.repeat ?? "1");
  if (!Number.isInteger(repeat) || repeat < 1) throw usage(`--repeat takes a whole number ≥ 1, not ${values.repeat}`);
  const providers = pickProviders(values.provider);

  const stateDir = values["state-dir"];
  const suite = await runSuite({
    providers,
    repeat,
    filter: values.filter,
    stdio: values.quiet ? "ignore" : "inherit",
    stateDir,
  });
  process.stdout.write(`${formatReport(suite.rows, repeat)}\n\n`);
  const perTest = suite.ran > 0 ? Math.round(suite.wallMs / suite.ran) : 0;
  process.stdout.write(
    `${suite.passed}/${suite.expected} tests passed; wall ${(suite.wallMs / 1000).toFixed(1)} s (≈${perTest} ms per test incl. promptfoo start-up); results: ${relative(process.cwd(), suitePaths(stateDir).results)}\n`,
  );
  for (const p of suite.problems) process.stderr.write(`eval failed: ${p}\n`);
  return suite.problems.length === 0 ? EXIT.ok : EXIT.failed;
});

function pickProviders(name: string | undefined): ProviderName[] {
  if (name === undefined) return defaultProviders();
  if (name === "all") return Object.keys(PROVIDERS) as ProviderName[];
  if (name in PROVIDERS) return [name as ProviderName];
  throw usage(`--provider must be one of ${[...Object.keys(PROVIDERS), "all"].join(", ")}, not ${name}`);
}
