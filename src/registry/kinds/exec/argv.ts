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
 */
import { ManifestError } from "../../../errors.js";
import { hasReference, parseReference } from "../../../references/index.js";
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
  return command;
}

export function buildArgv(command: string[], args: unknown, secrets: Readonly<Record<string, string>>): string[] {
  const argv: string[] = [];
  command.forEach((element, index) => {
    const whole = WHOLE.exec(element);
    if (!whole || whole[1]!.includes("}}")) {
      argv.push(renderText(element, args, secrets));
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
      argv.push(typeof item === "string" ? item : JSON.stringify(item));
    }
  });
  return argv;
}
