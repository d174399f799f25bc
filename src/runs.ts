#!/usr/bin/env -S npx tsx
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { checkConfig, parseCli, runMain, usage } from "./cli/main.js";

const HELP = `
Usage: tsx src/runs.ts [--json] [--state-dir DIR]          list runs
       tsx src/runs.ts [--json] [--state-dir DIR] <run-id> show one run

Reads the journals under <state-dir>/runs/ (default .planfile/runs/), or every
machine's runs in the shared store when PLANFILE_STORE_URL (or store.url in
planfile.config.json) names one; then each run shows the host that last worked
on it. A run that has not finished is \`running\` while a live process holds
its lock, and \`interrupted\` once that process is gone (resume or roll it back).
`;

runMain(async () => {
  const { values, positionals } = parseCli(
    { options: { json: { type: "boolean" }, "state-dir": { type: "string" }, help: { type: "boolean", short: "h" } } },
    HELP,
  );
  await checkConfig();
  if (positionals.length > 1) throw usage(`one run at a time; got ${positionals.join(" ")}`);
  const stateDir = values["state-dir"];
  // A mistyped --state-dir is not "no runs yet".
  if (stateDir !== undefined && !existsSync(stateDir))
    throw usage(`no state folder ${stateDir} (--state-dir); check the path`);
  const { foldJournal } = await import("./runner/index.js");
  const { formatRun, formatRunList, listStoredRuns } = await import("./runner/runs-view.js");
  const { storeForCommand } = await import("./store/for-command.js");
  const store = await storeForCommand(resolve(stateDir ?? ".planfile"));
  try {
    const id = positionals[0];
    if (!id) {
      const rows = await listStoredRuns(store);
      process.stdout.write(`${values.json ? JSON.stringify(rows, null, 2) : formatRunList(rows)}\n`);
      return;
    }
    const entries = await store.read(id);
    const holder = await store.holder(id);
    process.stdout.write(
      `${values.json ? JSON.stringify(entries, null, 2) : formatRun(foldJournal(entries), entries, store.shared ? holder : holder?.pid)}\n`,
    );
  } finally {
    await store.close();
  }
});
