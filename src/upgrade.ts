#!/usr/bin/env -S npx tsx
import { readFileSync } from "node:fs";
import { requireFiles } from "./cli/files.js";
import { EXIT, parseCli, runMain, usage } from "./cli/main.js";

const HELP = `
Usage: tsx src/upgrade.ts [--check] [--tools DIR] <plan.yaml>...

Brings plans written before risk came from policy up to it: adds to
riskySteps every step that the tool manifests and the operator policy
(planfile.policy.yaml, or $PLANFILE_POLICY) make risky, and sets
requiresConfirmation. It only ever adds approval, and edits each file in
place (atomically), keeping its comments. A rollback that is not its tool's
compensation is not rewritten: tsx src/validate.ts names it, and you decide.

--check  change nothing; exit 1 when a file would change.
Exit 0 done; 1 with --check when a file needs upgrading; 2 usage; 5 when a
file is not a plan this can read.
`;

runMain(async () => {
  const { values, positionals } = parseCli(
    { options: { check: { type: "boolean" }, tools: { type: "string" }, help: { type: "boolean", short: "h" } } },
    HELP,
  );
  if (positionals.length === 0) throw usage(`no plan files given\n${HELP}`);
  requireFiles(positionals, "plan file");
  const [{ loadRegistry }, { upgradeRiskText }, { writeFileAtomic }] = await Promise.all([
    import("./registry/index.js"),
    import("./policy/upgrade.js"),
    import("./planner/write.js"),
  ]);
  const registry = await loadRegistry({ toolsDir: values.tools, lazyHandlers: true });
  try {
    let unreadable = 0;
    let changed = 0;
    for (const file of positionals) {
      const result = upgradeRiskText(readFileSync(file, "utf8"), file, registry);
      if (!result.ok) {
        unreadable++;
        process.stderr.write(`${result.message}\n`);
        continue;
      }
      if (result.added.length === 0) {
        process.stderr.write(`${file}: up to date\n`);
        continue;
      }
      changed++;
      if (!values.check) await writeFileAtomic(file, result.text);
      process.stderr.write(
        `${file}: ${values.check ? "would add" : "added"} ${result.added.join(", ")} to riskySteps\n`,
      );
    }
    if (unreadable > 0) return EXIT.invalidPlan;
    return values.check && changed > 0 ? EXIT.failed : EXIT.ok;
  } finally {
    await registry.close();
  }
});
