#!/usr/bin/env -S npx tsx
import { checkConfig, EXIT, hint, localizeHints, parseCli, runMain, usage } from "./cli/main.js";

const HELP = `
Usage: tsx src/rollback.ts [options] <run-id>

Undoes a run from its journal: finishes an incomplete rollback (retrying the
compensations that failed), or undoes a finished run on demand. Compensations
run in reverse order of completion. It first shows what it will undo, then
asks on a terminal; elsewhere it needs --yes.

A step (or a compensation) that was running when a process died is settled
first: a read-only one changed nothing, otherwise its tool's verify probe
looks; where no probe can tell, you answer (a prompt, or --resolve).

Options:
  --yes                  undo without asking
  --dry-run              show what would be undone; change nothing
  --resolve <id=answer>  settle an interrupted call no probe can check:
                         not-happened, happened (undo it) or undone (you undid it);
                         repeat or separate with commas
  --json                 NDJSON events on stdout
  --tools <dir>          tool manifests (default tools/)
  --state-dir <dir>      state folder (default .planfile/)

Ctrl-C once: stop after the running compensation; twice: leave at once. Run
this again to finish.

Exit codes: 0 everything undone (or nothing to undo; --dry-run), 2 usage,
3 rollback incomplete (fix the cause or answer, then run this again),
4 not confirmed (nothing was undone), 130 left at a second Ctrl-C.
`;

runMain(async () => {
  const { values, positionals } = parseCli(
    {
      options: {
        yes: { type: "boolean" },
        "dry-run": { type: "boolean" },
        resolve: { type: "string", multiple: true },
        json: { type: "boolean" },
        tools: { type: "string" },
        "state-dir": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    },
    HELP,
  );
  await checkConfig();
  if (positionals.length !== 1) throw usage(`give one run id\n${HELP}`);
  const runId = positionals[0]!;
  // Loaded after the arguments are checked, so --help and usage errors answer at once.
  const [{ loadRegistry }, support, confirm, { exitCodeOf }, runner, { summarize }] = await Promise.all([
    import("./registry/index.js"),
    import("./runner/cli-support.js"),
    import("./runner/confirm.js"),
    import("./runner/exit-code.js"),
    import("./runner/index.js"),
    import("./runner/report.js"),
  ]);
  const { aroundPrompt, asUsage, interrupts, reporter, resolveAnswers } = support;
  const { formatPreview, ttyAskOutcome, ttyConfirmRollback } = confirm;
  const { foldJournal, previewRun, rollbackRun } = runner;
  const answers = resolveAnswers(values.resolve);
  const again = hint("rollback", runId);
  const registry = await loadRegistry({ toolsDir: values.tools, stateDir: values["state-dir"] });
  const store = await (await import("./store/for-command.js")).storeForCommand(registry.stateDir);
  try {
    return await asUsage(async () => {
      const state = foldJournal(await store.read(runId));
      for (const id of Object.keys(answers))
        if (!state.plan.steps.some((s) => s.id === id)) throw usage(`--resolve ${id}: no such step in run ${runId}`);
      if (values["dry-run"]) {
        process.stderr.write(
          `${formatPreview(await previewRun(runId, { registry, store }))}\ndry run: nothing was undone\n`,
        );
        return EXIT.ok;
      }
      const interactive = process.stdin.isTTY === true && process.stderr.isTTY === true && !values.json;
      if (!interactive && !values.yes) {
        const preview = await previewRun(runId, { registry, store });
        if (!preview.empty) {
          process.stderr.write(
            `${formatPreview(preview)}\nnothing was undone: confirm with --yes (or run this on a terminal)\n`,
          );
          return EXIT.awaitingApproval;
        }
      }
      const out = reporter({ json: values.json, steps: state.plan.steps });
      let stopping = false;
      const ctrlC = interrupts(
        out,
        "stopping after the running compensation",
        () => `left the rollback of ${runId} unfinished; to finish it:  ${again}`,
        registry,
      );
      ctrlC.signal.addEventListener("abort", () => {
        stopping = true;
      });
      const prompt = aroundPrompt(out, ctrlC);
      try {
        const result = await rollbackRun(runId, {
          registry,
          store,
          onEvent: out.onEvent,
          resolve: answers,
          stop: () => stopping,
          ...(interactive && !values.yes
            ? {
                confirm: async (preview) => {
                  prompt.before();
                  try {
                    return await ttyConfirmRollback()(preview);
                  } finally {
                    prompt.after();
                  }
                },
              }
            : {}),
          ...(interactive ? { askOutcome: ttyAskOutcome(undefined, undefined, prompt) } : {}),
        });
        out.stop();
        if (result.status === "rejected") {
          out.say("not confirmed: nothing was undone");
          return EXIT.awaitingApproval;
        }
        out.say(localizeHints(summarize(result)));
        if (stopping && result.status === "rollback-incomplete") {
          out.say(`interrupted: to finish the rollback:  ${again}`);
          return EXIT.interrupted;
        }
        return result.status === "rolled-back" ? EXIT.ok : exitCodeOf(result);
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
