#!/usr/bin/env -S npx tsx
import { requireFiles } from "./cli/files.js";
import { checkConfig, EXIT, parseCli, problemLine, runMain, usage } from "./cli/main.js";

const HELP = `
Usage: tsx src/validate.ts [--json] [--tools DIR] <plan.yaml>...

Checks each plan against schemas/plan.schema.json, then semantically against
the tools registered under tools/. Prints every problem as file:line:col.
Exit 0 only when every file is valid; 5 when any is invalid; 2 on usage errors
(a missing file among them).
`;

runMain(async () => {
  const { values, positionals } = parseCli(
    { options: { json: { type: "boolean" }, tools: { type: "string" }, help: { type: "boolean", short: "h" } } },
    HELP,
  );
  await checkConfig();
  if (positionals.length === 0) throw usage(`no plan files given\n${HELP}`);
  requireFiles(positionals, "plan file");
  // Loaded after the arguments are checked, so --help and usage errors answer at once.
  const [{ loadRegistry }, { validatePlanFile }] = await Promise.all([
    import("./registry/index.js"),
    import("./validator/index.js"),
  ]);
  // validate never calls a tool: the handlers (and what they import, pg among them) stay unloaded.
  const registry = await loadRegistry({ toolsDir: values.tools, lazyHandlers: true });
  try {
    const results = [];
    for (const file of positionals) results.push({ file, result: await validatePlanFile(file, registry) });
    const invalid = results.filter((r) => !r.result.ok).length;

    if (values.json) {
      const report = results.map(({ file, result }) =>
        result.ok
          ? { file, valid: true, digest: result.digest, steps: result.plan.steps.length }
          : { file, valid: false, problems: result.problems },
      );
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    } else {
      for (const { file, result } of results) {
        if (result.ok) process.stdout.write(`${file}  valid  ${result.plan.steps.length} steps  ${result.digest}\n`);
        else for (const p of result.problems) process.stdout.write(`${problemLine(p)}\n`);
      }
      process.stderr.write(`${results.length - invalid} valid, ${invalid} invalid\n`);
    }
    return invalid > 0 ? EXIT.invalidPlan : EXIT.ok;
  } finally {
    await registry.close();
  }
});
