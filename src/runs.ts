#!/usr/bin/env -S npx tsx
import { join, resolve } from "node:path";
import { parseCli, runMain } from "./cli/main.js";
import { asUsage } from "./runner/cli-support.js";
import { foldJournal, readRunJournal } from "./runner/index.js";
import { formatRun, formatRunList, listRuns } from "./runner/runs-view.js";

const HELP = `
Usage: tsx src/runs.ts [--json] [--state-dir DIR]          list runs
       tsx src/runs.ts [--json] [--state-dir DIR] <run-id> show one run

Reads the journals under <state-dir>/runs/ (default .planfile/runs/).
`;

runMain(async () => {
  const { values, positionals } = parseCli(
    { options: { json: { type: "boolean" }, "state-dir": { type: "string" }, help: { type: "boolean", short: "h" } } },
    HELP,
  );
  const runsDir = join(resolve(values["state-dir"] ?? ".planfile"), "runs");
  await asUsage(async () => {
    const id = positionals[0];
    if (!id) {
      const rows = listRuns(runsDir);
      process.stdout.write(`${values.json ? JSON.stringify(rows, null, 2) : formatRunList(rows)}\n`);
      return;
    }
    const entries = readRunJournal(runsDir, id);
    process.stdout.write(
      `${values.json ? JSON.stringify(entries, null, 2) : formatRun(foldJournal(entries), entries)}\n`,
    );
  });
});
