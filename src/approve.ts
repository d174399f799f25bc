#!/usr/bin/env -S npx tsx
import { checkConfig, parseCli, runMain, usage } from "./cli/main.js";

const HELP = `
Usage: tsx src/approve.ts <run-id> --step <id,...> [--by <who>] [--state-dir DIR]
       tsx src/approve.ts <run-id> --all [--by <who>] [--state-dir DIR]

Approves a run's risky steps from any machine that reaches the run store,
recording who approved and the plan's digest. A run waiting for approval (or
queued with --enqueue and not started yet) is then picked up by a worker; a
run started by hand goes on with \`run --resume <run-id>\`.

Options:
  --step <id,...>   the risky steps to approve (repeat or separate with commas)
  --all             every risky step still waiting
  --by <who>        who approves (default: your user name)
  --state-dir <dir> state folder of the file store (default .planfile/)

Exit codes: 0 approved (or nothing left to approve), 2 usage (no such run or
step, or the run is not waiting for approval).
`;

runMain(async () => {
  const { values, positionals } = parseCli(
    {
      options: {
        step: { type: "string", multiple: true },
        all: { type: "boolean" },
        by: { type: "string" },
        "state-dir": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    },
    HELP,
  );
  await checkConfig();
  if (positionals.length !== 1) throw usage(`give one run id\n${HELP}`);
  const steps = (values.step ?? []).flatMap((s) => s.split(",")).filter(Boolean);
  if (values.all === steps.length > 0) throw usage("give either --step <id,...> or --all");
  const [{ storeForCommand }, { approveRun }, { operator }] = await Promise.all([
    import("./store/for-command.js"),
    import("./store/approve-run.js"),
    import("./runner/approve.js"),
  ]);
  const store = await storeForCommand(values["state-dir"]);
  try {
    const a = await approveRun(store, positionals[0]!, values.all ? "all" : steps, values.by ?? operator());
    process.stdout.write(`${JSON.stringify(a)}\n`);
    const what = a.approved.length > 0 ? `approved ${a.approved.join(", ")}` : "nothing new to approve";
    const next =
      a.pending.length > 0
        ? `still waiting for: ${a.pending.join(", ")}`
        : a.queued
          ? "a worker will pick it up"
          : `go on with: planfile run --resume ${a.runId}`;
    process.stderr.write(`${what} in run ${a.runId} (${a.digest.slice(0, 19)}…); ${next}\n`);
  } finally {
    await store.close();
  }
});
