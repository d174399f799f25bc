#!/usr/bin/env -S npx tsx
// Thin CLI over the eval suite (src/evals): run promptfoo on the scenarios, print a table per scenario and metric.
import { existsSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { checkConfig, EXIT, parseCli, runMain, usage } from "./cli/main.js";
import type { ProviderName } from "./evals/index.js";

/** The checkout this file belongs to: the suite's scenarios, promptfoo config and promptfoo itself live there. */
const CHECKOUT = fileURLToPath(new URL("../", import.meta.url));

const HELP = `
Usage: tsx src/eval.ts [options]      (in a checkout also: npm run eval -- [options])

Plans every scenario in evals/scenarios/ (its goal and each wording under
\`goals:\`) with each provider, runs each plan in a fresh sandbox, and grades it
on every metric; checks that every goal in evals/refusals.yaml is refused with
its reason. Reports pass rates per scenario, per wording and overall. Exits 0
only when the number of tests run equals cases × providers × repeats and all
of them passed.

Options:
  --provider NAME   offline | openai | all (default: offline, plus openai when
                    OPENAI_API_KEY or OPENAI_BASE_URL is set); replay runs the
                    recorded model answers in evals/recordings/ instead
  --repeat K        run each test K times and report pass^K (default 1)
  --filter REGEX    only cases whose name matches: <scenario> (its goal),
                    <scenario>/<n> (its n-th wording), refusals/<n>
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
  await checkConfig();
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
  if (!existsSync(join(CHECKOUT, "evals")) || !existsSync(join(CHECKOUT, "node_modules/.bin/promptfoo")))
    throw usage(
      "the eval suite runs from a checkout of planfile with its dev dependencies (it needs evals/ and promptfoo): clone it, `npm ci`, then `npm run eval`",
    );
  const evals = await import("./evals/index.js");
  const replay = values.provider === "replay";
  const providers = replay ? [] : pickProviders(values.provider, evals);

  // Results go under the caller's folder; the suite itself runs from the checkout, so it works from any folder.
  const cwd = process.cwd();
  const stateDir = resolve(values["state-dir"] ?? ".planfile");
  process.chdir(CHECKOUT);
  const { formatReport, runSuite, suitePaths } = evals;
  const suite = await runSuite({
    providers,
    repeat,
    filter: values.filter,
    stdio: values.quiet ? "ignore" : "inherit",
    stateDir,
    ...(replay ? { config: await replayConfig(values.filter) } : {}),
  });
  process.stdout.write(`${formatReport(suite.rows, repeat)}\n\n`);
  const perTest = suite.ran > 0 ? Math.round(suite.wallMs / suite.ran) : 0;
  process.stdout.write(
    `${suite.passed}/${suite.expected} tests passed; wall ${(suite.wallMs / 1000).toFixed(1)} s (≈${perTest} ms per test incl. promptfoo start-up); results: ${relative(cwd, suitePaths(stateDir).results)}\n`,
  );
  for (const p of suite.problems) process.stderr.write(`eval failed: ${p}\n`);
  return suite.problems.length === 0 ? EXIT.ok : EXIT.failed;
});

function pickProviders(
  name: string | undefined,
  { defaultProviders, PROVIDERS }: typeof import("./evals/index.js"),
): ProviderName[] {
  if (name === undefined) return defaultProviders();
  if (name === "all") return Object.keys(PROVIDERS) as ProviderName[];
  if (name in PROVIDERS) return [name as ProviderName];
  throw usage(`--provider must be one of ${[...Object.keys(PROVIDERS), "all"].join(", ")}, not ${name}`);
}

async function replayConfig(filter: string | undefined) {
  const { replayCases } = await import("../evals/replay-tests.js");
  const pattern = filter ? new RegExp(filter) : undefined;
  const tests = replayCases().filter(({ recording: r }) => !pattern || pattern.test(`${r.scenario}/${r.case}`)).length;
  return { file: "promptfooconfig.replay.yaml", tests };
}
