#!/usr/bin/env -S npx tsx
import { resolve } from "node:path";
import { requireFiles } from "./cli/files.js";
import { EXIT, localizeHints, parseCli, runMain, usage } from "./cli/main.js";

const HELP = `
Usage: tsx src/run.ts [options] <plan.yaml>
       tsx src/run.ts --resume <run-id> [options] [plan.yaml]

Runs a plan: validates it, re-reads its context (stale plan?), asks for
approval of its risky steps, runs the steps along their dependencies, and
rolls back in reverse if one fails. Every transition is journaled under
<state-dir>/runs/<run-id>/, so a run can be resumed after a crash.

Options:
  --approve <id,...>     approve these risky steps (needed without a terminal)
  --yes                  approve every risky step
  --dry-run              call tools in dry-run mode; skip tools that cannot
  --allow-drift          run even if the context changed since planning
  --concurrency <n>      steps running at once (default 8)
  --resume <run-id>      continue a run from its journal (plan file optional)
  --rerun-unknown <ids>  on resume, run these interrupted steps again (you checked they did not happen)
  --json                 NDJSON events on stdout
  --tools <dir>          tool manifests (default tools/)
  --state-dir <dir>      state folder (default .planfile/)
  --run-id <id>          id for a new run (default: time + random)

Exit codes: 0 succeeded, 1 failed and rolled back, 2 usage, 3 rollback
incomplete, 4 awaiting approval or rejected, 5 invalid plan (or not the plan
approved for this run), 6 stale plan, 7 outcome unknown after a crash.
`;

runMain(async () => {
  const { values, positionals } = parseCli(
    {
      options: {
        approve: { type: "string" },
        yes: { type: "boolean" },
        "dry-run": { type: "boolean" },
        "allow-drift": { type: "boolean" },
        concurrency: { type: "string" },
        resume: { type: "string" },
        "rerun-unknown": { type: "string" },
        json: { type: "boolean" },
        tools: { type: "string" },
        "state-dir": { type: "string" },
        "run-id": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    },
    HELP,
  );
  const file = positionals[0];
  if (positionals.length > 1) throw usage(`one plan at a time; got ${positionals.join(" ")}`);
  if (!file && !values.resume) throw usage(`no plan file given\n${HELP}`);
  const concurrency = values.concurrency === undefined ? undefined : Number(values.concurrency);
  if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency >= 1))
    throw usage(`--concurrency must be a whole number ≥ 1, not ${values.concurrency}`);

  if (file) requireFiles([file], "plan file");
  // Loaded after the arguments are checked, so --help and usage errors answer at once.
  const [{ loadRegistry }, { asUsage, interruptSignal, list, reporter }, { ttyConfirm }, { exitCodeOf }] =
    await Promise.all([
      import("./registry/index.js"),
      import("./runner/cli-support.js"),
      import("./runner/confirm.js"),
      import("./runner/exit-code.js"),
    ]);
  const [{ loadRun, run, runsDirOf }, { summarize }, { validatePlanFile }] = await Promise.all([
    import("./runner/index.js"),
    import("./runner/report.js"),
    import("./validator/index.js"),
  ]);
  const registry = await loadRegistry({ toolsDir: values.tools, stateDir: values["state-dir"] });
  try {
    return await asUsage(async () => {
      let plan;
      if (file) {
        const validation = await validatePlanFile(file, registry);
        if (!validation.ok) {
          for (const p of validation.problems)
            process.stderr.write(`${p.file}:${p.line}:${p.col}  ${p.message}  [${p.rule}]\n`);
          process.stderr.write(`the plan is invalid; nothing ran\n`);
          return EXIT.invalidPlan;
        }
        plan = validation.plan;
      } else {
        plan = loadRun(runsDirOf({ registry }), values.resume!).plan;
      }
      const interactive = process.stdin.isTTY === true && process.stderr.isTTY === true && !values.json;
      const out = reporter({ json: values.json, steps: plan.steps });
      try {
        const result = await run(plan, {
          registry,
          ...(values.resume
            ? { resume: true, runId: values.resume }
            : values["run-id"]
              ? { runId: values["run-id"] }
              : {}),
          ...(interactive ? { confirm: ttyConfirm() } : {}),
          approve: values.yes ? "all" : list(values.approve),
          dryRun: values["dry-run"],
          allowDrift: values["allow-drift"],
          concurrency,
          rerunUnknown: list(values["rerun-unknown"]),
          planFile: file ? resolve(file) : undefined,
          signal: interruptSignal(),
          onEvent: out.onEvent,
        });
        out.stop();
        out.say(localizeHints(summarize(result)));
        return exitCodeOf(result);
      } finally {
        out.stop();
      }
    });
  } finally {
    await registry.close();
  }
});
