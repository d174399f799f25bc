#!/usr/bin/env -S npx tsx
import { requireFiles } from "./cli/files.js";
import { checkConfig, EXIT, parseCli, problemLine, reviewFormat, runMain, say, usage } from "./cli/main.js";

const HELP = `
Usage: tsx src/show.ts [--format text|markdown|json] [--tools DIR] [--no-validate] <plan.yaml>...

Renders a plan for people: steps in run order with tool, key args, expected
outcome, rollback and risk; the context it was planned on; with
--format markdown also the dependency graph as a Mermaid diagram (a PR comment).

The plan is validated first (schema + rules against the tools in --tools,
default tools/). An invalid plan is refused with its problems as
file:line:col (exit 5). --no-validate checks only the schema and shows the
rule problems beside the plan instead.
Exit 0 shown; 2 usage (a missing file); 5 invalid plan.
`;

runMain(async () => {
  const { values, positionals } = parseCli(
    {
      options: {
        format: { type: "string", default: "text" },
        tools: { type: "string" },
        "no-validate": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    },
    HELP,
  );
  await checkConfig();
  const format = reviewFormat(values.format);
  if (positionals.length === 0) throw usage(`no plan file given\n${HELP}`);
  requireFiles(positionals, "plan file");
  const [{ loadRegistry }, { showPlan }] = await Promise.all([
    import("./registry/index.js"),
    import("./review/index.js"),
  ]);
  const validate = !values["no-validate"];
  const registry =
    validate || values.tools ? await loadRegistry({ toolsDir: values.tools, lazyHandlers: true }) : undefined;
  try {
    let failed = false;
    for (const file of positionals) {
      const shown = await showPlan(file, { format, validate, registry });
      if (shown.ok) process.stdout.write(shown.output);
      else {
        failed = true;
        for (const p of shown.problems) process.stderr.write(`${problemLine(p)}\n`);
        say(
          `${file}: not shown — fix the problems above (tsx src/validate.ts ${file}), or pass --no-validate to render it anyway`,
        );
      }
    }
    return failed ? EXIT.invalidPlan : EXIT.ok;
  } finally {
    await registry?.close();
  }
});
