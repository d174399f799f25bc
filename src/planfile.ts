#!/usr/bin/env -S npx tsx
// `planfile <command> …`: the installed command. It only picks the command from the table in
// src/cli/commands.ts and hands it the rest of the line; each command parses its own flags.
import { readFileSync } from "node:fs";
import { COMMANDS } from "./cli/commands.js";
import { didYouMean } from "./cli/did-you-mean.js";
import { EXIT } from "./cli/exit-codes.js";
import { enterDispatcher } from "./cli/invocation.js";

const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
const HELP = `Usage: planfile <command> [options]

Turn an operational goal into a reviewable plan file of tool calls, and run it safely.

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`)
  .join("\n")}

\`planfile <command> --help\` describes a command. Plans and state (.planfile/)
are read from and written to the current folder; tools, prompts and schemas
come with planfile. Exit codes are the same for every command (see the README).
`;

const [name, ...rest] = process.argv.slice(2);
if (name === undefined) {
  process.stderr.write(HELP);
  process.exitCode = EXIT.usage;
} else if (name === "--help" || name === "-h") {
  process.stdout.write(HELP);
} else if (name === "--version" || name === "-V") {
  process.stdout.write(`${version()}\n`);
} else {
  // `planfile help run` is `planfile run --help`.
  const [command, args] = name === "help" && rest[0] ? [rest[0], ["--help"]] : [name, rest];
  const entry = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (!entry) {
    process.stderr.write(
      `error [USAGE]: unknown command \`${command}\`${didYouMean(command, Object.keys(COMMANDS))}\ncommands: ${Object.keys(COMMANDS).join(", ")} (planfile --help)\n`,
    );
    process.exitCode = EXIT.usage;
  } else {
    process.argv.splice(2, process.argv.length - 2, ...args);
    enterDispatcher();
    await entry.load();
  }
}

function version(): string {
  // src/planfile.ts in a checkout, dist/src/planfile.js in the package: package.json is one or two levels up.
  for (const up of ["../package.json", "../../package.json"]) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(up, import.meta.url), "utf8")) as { name?: string; version?: string };
      if (pkg.name === "planfile") return pkg.version ?? "unknown";
    } catch {}
  }
  return "unknown";
}
