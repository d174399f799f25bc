#!/usr/bin/env -S npx tsx
import { didYouMean } from "./cli/did-you-mean.js";
import { checkConfig, parseCli, runMain, usage } from "./cli/main.js";

const HELP = `
Usage: tsx src/tools.ts [--json] [--tools DIR] [--state-dir DIR]        list the registered tools
       tsx src/tools.ts [--json] [--tools DIR] <tool-name>               one tool: effect, undo, schemas, examples

Reads the manifests (every *.tools.yaml under --tools, default: the tools that
come with planfile) the way the validator, planner and runner do.
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
  await checkConfig();
  if (positionals.length > 1) throw usage(`one tool at a time; got ${positionals.join(" ")}`);
  const [{ loadRegistry }, { formatTool, formatToolList }] = await Promise.all([
    import("./registry/index.js"),
    import("./registry/catalogue.js"),
  ]);
  const registry = await loadRegistry({ toolsDir: values.tools, stateDir: values["state-dir"] });
  try {
    const [name] = positionals;
    if (name === undefined) {
      const tools = registry.list();
      process.stdout.write(
        values.json
          ? `${JSON.stringify(
              tools.map(({ manifest: _m, ...t }) => t),
              null,
              2,
            )}\n`
          : `${formatToolList(tools)}\n`,
      );
      return;
    }
    const tool = registry.get(name);
    if (!tool)
      throw usage(
        `no tool named ${name}${didYouMean(
          name,
          registry.list().map((t) => t.name),
        )}; run \`planfile tools\` to list them`,
      );
    process.stdout.write(
      values.json ? `${JSON.stringify({ ...tool, manifest: undefined }, null, 2)}\n` : formatTool(tool),
    );
  } finally {
    await registry.close();
  }
});
