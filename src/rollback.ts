#!/usr/bin/env -S npx tsx
import { EXIT, localizeHints, parseCli, runMain, usage } from "./cli/main.js";

const HELP = `
Usage: tsx src/rollback.ts [--json] [--tools DIR] [--state-dir DIR] <run-id>

Undoes a run from its journal: finishes an incomplete rollback (retrying the
compensations that failed), or undoes a finished run on demand. Compensations
run in reverse order of completion. Exit 0 when everything is undone, 3 when
some compensation still fails (fix the cause and run this again), 2 on usage.
`;

runMain(async () => {
  const { values, positionals } = parseCli(
    {
      options: {
        json: { type: "boolean" },
        tools: { type: "string" },
        "state-dir": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    },
    HELP,
  );
  if (positionals.length !== 1) throw usage(`give one run id\n${HELP}`);
  const runId = positionals[0]!;
  // Loaded after the arguments are checked, so --help and usage errors answer at once.
  const [{ loadRegistry }, { asUsage, reporter }, { exitCodeOf }, { loadRun, rollbackRun, runsDirOf }, { summarize }] =
    await Promise.all([
      import("./registry/index.js"),
      import("./runner/cli-support.js"),
      import("./runner/exit-code.js"),
      import("./runner/index.js"),
      import("./runner/report.js"),
    ]);
  const registry = await loadRegistry({ toolsDir: values.tools, stateDir: values["state-dir"] });
  try {
    return await asUsage(async () => {
      const state = loadRun(runsDirOf({ registry }), runId);
      const out = reporter({ json: values.json, steps: state.plan.steps });
      const result = await rollbackRun(runId, { registry, onEvent: out.onEvent });
      out.stop();
      out.say(localizeHints(summarize(result)));
      return result.status === "rolled-back" ? EXIT.ok : exitCodeOf(result);
    });
  } finally {
    await registry.close();
  }
});
