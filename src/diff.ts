#!/usr/bin/env -S npx tsx
import { requireFiles } from "./cli/files.js";
import { checkConfig, EXIT, parseCli, problemLine, reviewFormat, runMain, usage } from "./cli/main.js";
import type { CompareResult } from "./review/index.js";

const HELP = `
Usage: tsx src/diff.ts [--format text|markdown|json] [--exit-code] <old.yaml> <new.yaml>
       tsx src/diff.ts [--format text|markdown|json] [--exit-code] --base <rev> <plan.yaml>...

A semantic diff of plans: steps added or removed, run order, tool, args (per
path), expected outcome and expect, risk, rollback, timeouts and retries,
dependency edges, context entries, goal and name. Steps are matched by id, so
a renamed step shows as removed + added. Descriptions, comments, key order and
formatting are not behaviour and never show.

With --base, each file is compared with itself at git revision <rev>
(git show <rev>:<file>); a file new since <rev> shows every step as added.
Both sides must pass the plan schema (tools are not needed).
Exit 0 when diffed (like git diff); with --exit-code, 1 when there is any
behavioural change. 2 usage (a missing file); 5 a side is not a valid plan.
`;

runMain(async () => {
  const { values, positionals } = parseCli(
    {
      options: {
        format: { type: "string", default: "text" },
        base: { type: "string" },
        "exit-code": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    },
    HELP,
  );
  await checkConfig();
  const format = reviewFormat(values.format);
  requireFiles(positionals, "plan file");
  const { compareFiles, compareWithRevision } = await import("./review/index.js");
  const results: CompareResult[] = [];
  if (values.base !== undefined) {
    if (positionals.length === 0) throw usage(`--base ${values.base}: name at least one plan file\n${HELP}`);
    for (const file of positionals) results.push(await compareWithRevision(values.base, file, format));
  } else {
    if (positionals.length !== 2)
      throw usage(
        `expected <old.yaml> <new.yaml> (or --base <rev> <plan.yaml>…), got ${positionals.length} file(s)\n${HELP}`,
      );
    results.push(await compareFiles(positionals[0]!, positionals[1]!, format));
  }
  let invalid = false;
  let changed = false;
  for (const result of results) {
    if (!result.ok) {
      invalid = true;
      for (const p of result.problems) process.stderr.write(`${problemLine(p)}\n`);
      continue;
    }
    changed ||= result.changes.length > 0;
    process.stdout.write(result.output);
  }
  if (invalid) return EXIT.invalidPlan;
  return values["exit-code"] && changed ? EXIT.failed : EXIT.ok;
});
