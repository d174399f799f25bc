/**
 * How the user started us, so that every hint we print runs as printed: the
 * command spelled the way they invoked it (`planfile run`, `npx tsx
 * src/run.ts`, `node --import tsx src/run.ts`), carrying the `--state-dir` and
 * `--tools` they gave, without which a pasted hint would look in the wrong
 * place.
 */
import { basename, dirname, extname, isAbsolute, join, relative } from "node:path";

let dispatcher: string | undefined;
let carried: string[] = [];

/** Called by the `planfile` dispatcher: hints then name `planfile <command>`. */
export function enterDispatcher(): void {
  dispatcher = launcherAndScript();
}

/** Remembers the flags every hint must repeat (only those the user gave). */
export function carryFlags(values: Record<string, unknown>): void {
  carried = [];
  for (const flag of ["state-dir", "tools"] as const) {
    const value = values[flag];
    if (typeof value === "string") carried.push(`--${flag}`, value);
  }
}

/** The command as the user would type it: `planfile run`, `npx tsx src/run.ts`, … */
export function commandLine(command: string): string {
  if (dispatcher !== undefined) return `${dispatcher} ${command}`;
  const script = process.argv[1];
  // Not started from an entry file (a test calling the library): the installed spelling.
  if (!script || !/\.[cm]?[jt]s$/.test(script)) return `planfile ${command}`;
  const sibling = join(dirname(script), `${command}${extname(script)}`);
  return `${launcher()}${shown(sibling)}`;
}

/** A complete command line to print as a hint, with the carried flags and shell quoting. */
export function hint(command: string, ...args: string[]): string {
  return [commandLine(command), ...[...carried, ...args].map(quote)].join(" ");
}

const COMMAND_NAMES = "plan|validate|show|diff|run|rollback|runs|approve|worker|tools|sandbox|eval|lab|upgrade";
const SPELLINGS = new RegExp(
  `(?:(?:npx )?(?:node --import tsx |tsx ))?(?<![\\w/.-])src/(${COMMAND_NAMES})\\.ts\\b|(?<![\\w/.-])(?:npx )?planfile (${COMMAND_NAMES})\\b`,
  "g",
);

/**
 * Rewrites the hints inside a library message (which spells commands as
 * `planfile <command>` or `tsx src/<command>.ts`) into the user's spelling,
 * with the carried flags.
 */
export function localizeHints(text: string): string {
  return text.replace(SPELLINGS, (_m, a: string | undefined, b: string | undefined, at: number) => {
    const command = (a ?? b)!;
    // A usage line ("Usage: tsx src/run.ts [options]") names the command, it is not a hint to paste.
    const lineStart = text.lastIndexOf("\n", at - 1) + 1;
    return /^(Usage:)?\s*$/.test(text.slice(lineStart, at)) ? commandLine(command) : hint(command);
  });
}

function launcherAndScript(): string {
  const script = process.argv[1] ?? "planfile";
  // The installed bin (node_modules/.bin/planfile, or on PATH) is a command of its own.
  if (!/\.[cm]?[jt]s$/.test(script)) return `${viaNpx(basename(script)) ? "npx " : ""}${basename(script)}`;
  return `${launcher()}${shown(script)}`;
}

/** What runs the script: `npx tsx `, `node --import tsx `, `node `. */
function launcher(): string {
  const exec = process.execArgv;
  // The tsx command starts node with its preflight and loader.
  if (exec.some((a) => /[\\/]tsx[\\/]dist[\\/]preflight\.cjs$/.test(a)))
    return viaNpx("tsx") ? "npx tsx " : tsxCommand();
  // `node --import tsx` (or any loader): repeat the loaders, which the script needs to run.
  const loaders: string[] = [];
  exec.forEach((a, i) => {
    if ((a === "--import" || a === "--require") && exec[i + 1]) loaders.push(a, quote(exec[i + 1]!));
    else if (/^--(import|require)=/.test(a)) loaders.push(quote(a));
  });
  return ["node", ...loaders, ""].join(" ");
}

function tsxCommand(): string {
  // A shell records the command it ran in `_`: a global tsx is `tsx`; one from node_modules/.bin is only on PATH through npx.
  const ran = process.env._ ?? "";
  return basename(ran) === "tsx" && !/node_modules[\\/]\.bin/.test(ran) ? "tsx " : "npx tsx ";
}

/** Started by `npx <bin>` itself (not merely below some npx, whose variables every child inherits). */
function viaNpx(bin: string): boolean {
  const script = process.env.npm_lifecycle_script ?? "";
  // npx quotes the command it runs: `'tsx'`, `'planfile'`.
  const first = script
    .trim()
    .split(/\s+/)[0]
    ?.replace(/^(['"])(.*)\1$/, "$2");
  return process.env.npm_lifecycle_event === "npx" && first === bin;
}

function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === "" || rel.startsWith("..") || isAbsolute(rel) ? path : rel;
}

function quote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
