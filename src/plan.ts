#!/usr/bin/env -S npx tsx
import { existsSync, statSync } from "node:fs";
import { EXIT, parseCli, runMain, usage } from "./cli/main.js";

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
      --tools DIR       tool manifests and methods (default: the tools that come with planfile)
      --state-dir DIR   where tools keep state (default: .planfile)
      --max-repairs N   re-asks after an invalid answer (default: 2)
      --timeout TIME    deadline for the model's whole part, answer bodies,
                        retries and repairs included: 90s, 3m, 500ms (default 3m)
  -h, --help

Model: OPENAI_API_KEY, OPENAI_BASE_URL (any OpenAI-compatible endpoint),
PLANFILE_MODEL, PLANFILE_LLM_TIMEOUT_MS, or planfile.config.json {"llm": {...}}.
Exit 0 with the plan; 1 when no valid plan could be made, or the model
answered that the goal cannot be done with these tools (reason on stderr,
nothing on stdout or in FILE); 2 on usage or config errors.
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
        timeout: { type: "string" },
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
  if (values.output && existsSync(values.output) && statSync(values.output).isDirectory())
    throw usage(`--output ${values.output} is a folder; name a file, e.g. ${values.output}/plan.yaml`);

  const timeoutMs = values.timeout === undefined ? undefined : parseDuration(values.timeout);
  if (timeoutMs === undefined && values.timeout !== undefined)
    throw usage(`--timeout takes a duration such as 90s, 3m or 500ms, not ${values.timeout}`);
  // The config file is checked on every run, offline too: a typo in it must not wait for the day a model is set.
  const { loadConfig } = await import("./config/index.js");
  const settings = loadConfig().llm ?? {};
  const wantsModel =
    !values.offline && Boolean(process.env.OPENAI_API_KEY || process.env.OPENAI_BASE_URL || settings.baseURL);
  if (values.model && !wantsModel && !values.offline)
    throw usage("--model needs a model endpoint: set OPENAI_API_KEY (and OPENAI_BASE_URL for a non-OpenAI endpoint)");
  // The openai SDK is loaded only when a model will be asked.
  const llmModule = wantsModel ? await import("./planner/llm.js") : undefined;
  const config = llmModule?.llmConfigFromEnv(process.env, undefined, {
    ...(values.model ? { model: values.model } : {}),
    ...(timeoutMs ? { timeoutMs } : {}),
  });

  const [
    { DEFAULT_TOOLS_DIR, loadRegistry },
    { plan },
    { loadMethods },
    { formatReport, jsonReport },
    { writeFileAtomic },
    { keepFileTimestamp },
  ] = await Promise.all([
    import("./registry/index.js"),
    import("./planner/plan.js"),
    import("./planner/offline/methods.js"),
    import("./planner/report.js"),
    import("./planner/write.js"),
    import("./planner/stable.js"),
  ]);
  const toolsDir = values.tools ?? DEFAULT_TOOLS_DIR;
  const registry = await loadRegistry({ toolsDir, stateDir: values["state-dir"] });
  try {
    const methods = await loadMethods(toolsDir);
    const llm = config && llmModule?.createOpenAiLlm(config);
    let result = await plan(goal, { registry, llm, methods, maxRepairs });
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

/** `90s`, `3m`, `500ms`, or bare seconds. */
function parseDuration(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!m) return undefined;
  const ms = Number(m[1]) * (m[2] === "ms" ? 1 : m[2] === "m" ? 60_000 : 1000);
  return ms >= 1 && ms <= 86_400_000 ? Math.round(ms) : undefined;
}
