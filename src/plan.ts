#!/usr/bin/env -S npx tsx
import { EXIT, parseCli, runMain, usage } from "./cli/main.js";
import { loadRegistry } from "./registry/index.js";
import { plan } from "./planner/plan.js";
import { createOpenAiLlm, llmConfigFromEnv } from "./planner/llm.js";
import { loadMethods } from "./planner/offline/methods.js";
import { formatReport, jsonReport } from "./planner/report.js";
import { keepFileTimestamp } from "./planner/stable.js";
import { writeFileAtomic } from "./planner/write.js";

const HELP = `
Usage: tsx src/plan.ts [options] "<goal>"

Turns a goal into a plan file. Reads the state it needs with read-only tools
first, then asks the configured model, or, with no model configured, the
offline planner (methods in tools/**/*.methods.yaml). The plan is validated
before anything is printed or written.

Options:
  -o, --output FILE     write the plan to FILE (atomically) instead of stdout
      --json            print a machine report (plan, attempts, reads, timings) on stdout
      --model NAME      model to ask (overrides PLANFILE_MODEL)
      --offline         use the offline planner even if a model is configured
      --tools DIR       tool manifests and methods (default: tools)
      --state-dir DIR   where tools keep state (default: .planfile)
      --max-repairs N   re-asks after an invalid answer (default: 2)
  -h, --help

Model: OPENAI_API_KEY, OPENAI_BASE_URL (any OpenAI-compatible endpoint),
PLANFILE_MODEL, PLANFILE_LLM_TIMEOUT_MS, or planfile.config.json {"llm": {...}}.
Exit 0 with the plan; 1 when no valid plan could be made (reason on stderr,
nothing on stdout or in FILE); 2 on usage errors.
`;

runMain(async () => {
  const { values, positionals } = parseCli(
    {
      options: {
        output: { type: "string", short: "o" },
        json: { type: "boolean" },
        model: { type: "string" },
        offline: { type: "boolean" },
        tools: { type: "string" },
        "state-dir": { type: "string" },
        "max-repairs": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    },
    HELP,
  );
  const goal = positionals.join(" ").trim();
  if (!goal) throw usage(`no goal given\n${HELP}`);
  const maxRepairs = values["max-repairs"] === undefined ? undefined : Number(values["max-repairs"]);
  if (maxRepairs !== undefined && !(Number.isInteger(maxRepairs) && maxRepairs >= 0 && maxRepairs <= 10))
    throw usage(`--max-repairs takes an integer from 0 to 10, not ${values["max-repairs"]}`);

  const config = values.offline
    ? undefined
    : llmConfigFromEnv(process.env, undefined, values.model ? { model: values.model } : {});
  if (values.model && !config && !values.offline)
    throw usage("--model needs a model endpoint: set OPENAI_API_KEY (and OPENAI_BASE_URL for a non-OpenAI endpoint)");
  const toolsDir = values.tools ?? "tools";
  const registry = await loadRegistry({ toolsDir, stateDir: values["state-dir"] });
  try {
    const methods = await loadMethods(toolsDir);
    let result = await plan(goal, { registry, llm: config && createOpenAiLlm(config), methods, maxRepairs });
    // Re-planning into the same file keeps its timestamp when nothing else changed: no churn in git.
    if (result.ok && values.output) result = await keepFileTimestamp(result, values.output);
    if (result.ok && values.output) await writeFileAtomic(values.output, result.yaml);
    if (values.json) process.stdout.write(`${JSON.stringify(jsonReport(goal, result, values.output), null, 2)}\n`);
    else if (result.ok && !values.output) process.stdout.write(result.yaml);
    process.stderr.write(formatReport(goal, result, values.output));
    return result.ok ? EXIT.ok : EXIT.failed;
  } finally {
    await registry.close();
  }
});
