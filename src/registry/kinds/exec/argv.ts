/**
 * Builds an argv from a `command:` template. No shell ever sees it, so there
 * is nothing to quote: each template element becomes argv elements by these rules.
 *
 * - A literal element is passed as is.
 * - An element that is exactly one `${{ args.x }}` becomes exactly one argv
 *   element holding the value, spaces, quotes, `;` and all. Numbers and
 *   booleans are written as JSON text.
 * - An array value expands into one argv element per item (`[rm, "${{ args.files }}"]`),
 *   so a list never has to be joined and split again.
 * - An absent optional arg drops its element, so an optional flag value can be
 *   left out; put the flag and value in one element (`--tag=${{ args.tag }}`)
 *   if they must appear together, which then requires the arg.
 * - References inside a longer string are interpolated as text.
 * - Objects are refused: there is no single right way to flatten them.
 * - A value that would begin an element with `-` is refused before a literal
 *   `--` element (the program would read it as an option: `--output=/tmp/x`),
 *   unless the manifest lists its arg in `optionArgs`. After `--` it is an
 *   operand, so a manifest whose program supports `--` puts values there.
 * - Secrets are refused in the command at load time: argv is world-readable
 *   (`ps`, /proc/<pid>/cmdline); a manifest passes them by `env` or `stdin`.
 */
import { ManifestError } from "../../../errors.js";
import { findReferences, hasReference, parseReference } from "../../../references/index.js";
import { ToolError } from "../../tool-error.js";
import { checkTemplate, lookup, renderText } from "../template.js";

const WHOLE = /^\$\{\{\s*(.*?)\s*\}\}$/;

/** Load-time checks: the program itself is never chosen by a plan. */
export function checkCommand(file: string, tool: string, command: string[] | undefined): string[] {
  if (!command) throw new ManifestError(file, `tool ${tool}: exec tools need \`command: [program, arg…]\``);
  if (hasReference(command[0]!)) {
    throw new ManifestError(
      file,
      `tool ${tool}: command[0] must be a literal program name; a plan must not choose what runs`,
    );
  }
  checkTemplate(file, tool, "command", command);
  for (const site of findReferences(command))
    for (const ref of site.refs)
      if (ref.ok && ref.ref.root === "secrets")
        throw new ManifestError(
          file,
          `tool ${tool}: command must not hold \`\${{ secrets.${ref.ref.name} }}\`: every user of the machine can read a process's argv; pass it with \`env: {${ref.ref.name}: "\${{ secrets.${ref.ref.name} }}"}\` or \`stdin\``,
        );
  return command;
}

export function buildArgv(
  command: string[],
  args: unknown,
  secrets: Readonly<Record<string, string>>,
  optionArgs: readonly string[] = [],
): string[] {
  const argv: string[] = [];
  let operands = false; // past a literal `--`: the program reads nothing after it as an option
  const push = (index: number, element: string, value: string) => {
    if (!operands && index > 0 && value.startsWith("-") && !element.startsWith("-")) {
      const arg = leadingArg(element);
      if (arg === undefined || !optionArgs.includes(arg))
        throw new ToolError(
          "ARGV_OPTION_INJECTION",
          `command[${index}] \`${element}\` would start with "-" (${JSON.stringify(value.slice(0, 40))}), which \`${command[0]}\` would read as an option; pass a value that does not start with "-"${arg ? `, or list \`${arg}\` in the tool's optionArgs if the program expects options there` : ""}`,
        );
    }
    argv.push(value);
  };
  command.forEach((element, index) => {
    if (element === "--" && index > 0) {
      operands = true;
      argv.push(element);
      return;
    }
    const whole = WHOLE.exec(element);
    if (!whole || whole[1]!.includes("}}")) {
      push(index, element, renderText(element, args, secrets));
      return;
    }
    const parsed = parseReference(whole[1]!);
    if (!parsed.ok) throw new ToolError("TEMPLATE_INVALID", parsed.message);
    const value = lookup(parsed.ref, args, secrets);
    if (value === undefined) return;
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item !== null && typeof item === "object") {
        throw new ToolError(
          "ARGV_INVALID",
          `command[${index}] \`${element}\` resolves to an object; pass scalars or an array of scalars`,
        );
      }
      push(index, element, typeof item === "string" ? item : JSON.stringify(item));
    }
  });
  return argv;
}

/** The arg whose value starts an element (`${{ args.ref }}…` → `ref`), if the element starts with a reference. */
function leadingArg(element: string): string | undefined {
  const m = /^\$\{\{\s*args\.([^\s}]+)/.exec(element);
  return m?.[1];
}
