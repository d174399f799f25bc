/** Argument parsing shared by every command: node:util's parseArgs, with messages a person can act on. */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { PlanfileError } from "../errors.js";
import { didYouMean } from "./did-you-mean.js";
import { EXIT } from "./exit-codes.js";
import { carryFlags, localizeHints } from "./invocation.js";
import { allowSymlinks } from "../schema/read-file.js";

export function usage(message: string): PlanfileError {
  return new PlanfileError("USAGE", message);
}

type Options = NonNullable<ParseArgsConfig["options"]>;

/**
 * Parses argv. `--help` prints the help (on stdout: it is what was asked for)
 * and exits 0 before any library is loaded; an unknown flag is a usage error
 * with a did-you-mean and the command's option list.
 */
export function parseCli<T extends ParseArgsConfig>(config: T, help: string) {
  const args = config.args ?? process.argv.slice(2);
  let parsed;
  try {
    parsed = parseArgs({
      ...config,
      // Every command reads plan files; none follows a symbolic link to one unless told to.
      options: { ...config.options, "follow-symlinks": { type: "boolean" } },
      args,
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    // --help wins over any other mistake on the line.
    if (args.includes("--help") || args.includes("-h")) printHelp(help);
    throw usage(explain(error as Error & { code?: string }, config.options ?? {}, help));
  }
  if ((parsed.values as Record<string, unknown>)["follow-symlinks"]) allowSymlinks(true);
  if ((parsed.values as Record<string, unknown>).help) printHelp(help);
  carryFlags(parsed.values as Record<string, unknown>);
  return parsed;
}

function printHelp(help: string): never {
  process.stdout.write(`${localizeHints(help.trim())}\n`);
  process.exit(EXIT.ok);
}

function explain(error: Error & { code?: string }, options: Options, help: string): string {
  const flags = Object.entries(options).flatMap(([name, o]) => [`--${name}`, ...(o.short ? [`-${o.short}`] : [])]);
  const named = /'(-[^'=\s]*)/.exec(error.message)?.[1];
  // Spelled for the user by runMain, which localizes every error message once.
  const usageLine = help.trim().split("\n")[0] ?? "";
  switch (error.code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return `unknown option \`${named}\`${didYouMean(named ?? "", flags)}\n${usageLine}\noptions: ${flags.filter((f) => f.startsWith("--")).join(" ")}`;
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE": {
      const option = options[named?.replace(/^-+/, "") ?? ""];
      const short = named ? Object.entries(options).find(([, o]) => `-${o.short}` === named) : undefined;
      const type = (option ?? short?.[1])?.type;
      return type === "boolean"
        ? `\`${named}\` is a switch and takes no value\n${usageLine}`
        : `\`${named}\` needs a value\n${usageLine}`;
    }
    default:
      return `${error.message}\n${usageLine}`;
  }
}
