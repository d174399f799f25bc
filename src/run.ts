#!/usr/bin/env -S npx tsx
import { resolve } from "node:path";
import { requireFiles } from "./cli/files.js";
import { checkConfig, EXIT, hint, localizeHints, parseCli, problemLine, runMain, usage } from "./cli/main.js";

const HELP = `
Usage: tsx src/run.ts [options] <plan.yaml>
       tsx src/run.ts --resume <run-id> [options] [plan.yaml]

Runs a plan: validates it, re-reads its context (stale plan?), asks for
approval of its risky steps, runs the steps along their dependencies, and
rolls back in reverse if one fails. Every transition is journaled under
<state-dir>/runs/<run-id>/, so a run can be resumed after a crash.
Progress goes to stderr; --json events go to stdout.

Options:
  --approve <id,...>     approve these risky steps (needed without a terminal)
  --yes                  approve every risky step
  --approved-by <who>    who approves with --approve/--yes (default: your user name)
  --enqueue              put the plan in the shared run store for a worker
                         (planfile worker) instead of running it here; prints
                         the run id. Needs PLANFILE_STORE_URL
  --confirm <when>       on a terminal, ask about each risky step: upfront (default,
                         before anything runs) or step (just before it runs, with
                         its arguments resolved)
  --dry-run              call tools in dry-run mode; skip tools that cannot
  --allow-drift          run even if the context changed since planning
  --concurrency <n>      cap on steps running at once (default: no cap; limits
                         stay per kind: exec = cores, mcp 4 per server, http 16
                         per host; a manifest's \`concurrency\` sets a tool's own)
  --resume <run-id>      continue a run from its journal (plan file optional)
  --resolve <id=answer>  on resume, settle a step that was running when a process
                         died and that no probe can check: not-happened (run it
                         again), happened (undo the run) or undone (you undid it)
  --rerun-unknown <ids>  same as --resolve <id>=not-happened
  --json                 NDJSON events on stdout
  --tools <dir>          tool manifests (default tools/)
  --state-dir <dir>      state folder (default .planfile/)
  --run-id <id>          id for a new run (default: time + random)

Ctrl-C once: running steps finish, then everything is rolled back. Twice:
leave at once; the run waits for --resume or rollback.ts.

Exit codes: 0 succeeded, 1 failed (or cancelled) and rolled back, 2 usage,
3 rollback incomplete, 4 awaiting approval or rejected, 5 invalid plan (or
not the plan approved for this run), 6 stale plan, 7 outcome unknown after a
crash, 130 left at a second Ctrl-C.
`;

runMain(async () => {
  const { values, positionals } = parseCli(
    {
      options: {
        approve: { type: "string" },
        yes: { type: "boolean" },
        "approved-by": { type: "string" },
        enqueue: { type: "boolean" },
        confirm: { type: "string" },
        "dry-run": { type: "boolean" },
        "allow-drift": { type: "boolean" },
        concurrency: { type: "string" },
        resume: { type: "string" },
        resolve: { type: "string", multiple: true },
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
  await checkConfig();
  const file = positionals[0];
  if (positionals.length > 1) throw usage(`one plan at a time; got ${positionals.join(" ")}`);
  if (!file && !values.resume) throw usage(`no plan file given\n${HELP}`);
  if (values.enqueue && (values.resume || !file)) throw usage("--enqueue takes a plan file, not --resume");
  if (values.enqueue && values["dry-run"]) throw usage("--enqueue and --dry-run do not go together");
  const concurrency = values.concurrency === undefined ? undefined : Number(values.concurrency);
  if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency >= 1))
    throw usage(`--concurrency must be a whole number ≥ 1, not ${values.concurrency}`);
  if (values.confirm !== undefined && values.confirm !== "upfront" && values.confirm !== "step")
    throw usage(`--confirm is upfront or step, not ${values.confirm}`);
  if (file) requireFiles([file], "plan file");
  // Loaded after the arguments are checked, so --help and usage errors answer at once.
  const [{ loadRegistry }, support, { ttyAskOutcome, ttyConfirm }, { exitCodeOf }, runner, { summarize }, validator] =
    await Promise.all([
      import("./registry/index.js"),
      import("./runner/cli-support.js"),
      import("./runner/confirm.js"),
      import("./runner/exit-code.js"),
      import("./runner/index.js"),
      import("./runner/report.js"),
      import("./validator/index.js"),
    ]);
  const { aroundPrompt, asUsage, interrupts, list, reporter, resolveAnswers } = support;
  const { foldJournal, run, unknownApprovals } = runner;
  const answers = resolveAnswers(values.resolve);

  const registry = await loadRegistry({ toolsDir: values.tools, stateDir: values["state-dir"] });
  const store = await (await import("./store/for-command.js")).storeForCommand(registry.stateDir);
  try {
    return await asUsage(async () => {
      let plan;
      // The validator's result goes to run() as it is: the plan is checked and digested once.
      let input;
      if (file) {
        const validation = await validator.validatePlanFile(file, registry);
        if (!validation.ok) {
          for (const p of validation.problems) process.stderr.write(`${problemLine(p)}\n`);
          process.stderr.write(`the plan is invalid; nothing ran\n`);
          return EXIT.invalidPlan;
        }
        plan = validation.plan;
        input = validation;
      } else {
        plan = foldJournal(await store.read(values.resume!)).plan;
        input = plan;
      }
      const approve = values.yes ? ("all" as const) : list(values.approve);
      const typos = unknownApprovals(plan, approve);
      if (typos.length > 0)
        throw usage(
          `--approve ${typos.join(",")}: not a risky step of this plan. Risky steps: ${plan.riskySteps.join(", ") || "none (nothing needs approval)"}`,
        );
      for (const id of Object.keys(answers))
        if (!plan.steps.some((s) => s.id === id)) throw usage(`--resolve ${id}: no such step in this plan`);

      if (values.enqueue) {
        const { enqueuePlan } = await import("./store/enqueue.js");
        const runId = await enqueuePlan(store, plan, {
          runId: values["run-id"],
          approve,
          approvedBy: values["approved-by"],
          registry,
        });
        process.stdout.write(`${runId}\n`);
        process.stderr.write(
          `queued run ${runId} in ${store.where}; a worker runs it (planfile worker). Watch it: ${hint("runs", runId)}\n`,
        );
        return EXIT.ok;
      }
      const interactive = process.stdin.isTTY === true && process.stderr.isTTY === true && !values.json;
      const out = reporter({ json: values.json, steps: plan.steps });
      const ctrlC = interrupts(
        out,
        "letting running steps finish, then rolling back",
        (runId, running) =>
          runId
            ? [
                `left run ${runId} as it is${running.length > 0 ? `; ${running.join(", ")} ${running.length > 1 ? "were" : "was"} running, and is settled when you go on or undo` : ""}.`,
                `to go on:  ${hint("run", "--resume", runId)}`,
                `to undo:   ${hint("rollback", runId)}`,
              ].join("\n")
            : "left before the run started; nothing ran",
        registry,
      );
      const prompt = aroundPrompt(out, ctrlC);
      try {
        const result = await run(input, {
          registry,
          store,
          ...(values.resume
            ? { resume: true, runId: values.resume }
            : values["run-id"]
              ? { runId: values["run-id"] }
              : {}),
          ...(interactive
            ? {
                confirm: ttyConfirm(undefined, undefined, prompt),
                askOutcome: ttyAskOutcome(undefined, undefined, prompt),
              }
            : {}),
          confirmAt: values.confirm === "step" ? "step" : "upfront",
          approve,
          ...(values["approved-by"] ? { approvedBy: values["approved-by"] } : {}),
          dryRun: values["dry-run"],
          allowDrift: values["allow-drift"],
          concurrency,
          rerunUnknown: list(values["rerun-unknown"]),
          resolve: answers,
          planFile: file ? resolve(file) : undefined,
          signal: ctrlC.signal,
          onEvent: out.onEvent,
        });
        out.stop();
        out.say(localizeHints(summarize(result)));
        return exitCodeOf(result);
      } finally {
        out.stop();
        ctrlC.dispose();
      }
    });
  } finally {
    await registry.close();
    await store.close();
  }
});
