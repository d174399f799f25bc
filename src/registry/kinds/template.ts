/**
 * Templates in exec and http manifests: strings that may hold
 * `${{ args.<path> }}` and `${{ secrets.NAME }}`. Checked when the manifest
 * loads, resolved only at call time so that secrets never reach a plan,
 * a journal or an error message.
 */
import { ManifestError } from "../../errors.js";
import { findReferences, getPath, substitute, type Reference } from "../../references/index.js";
import { formsOf, redactText } from "../../secrets/forms.js";
import { ToolError } from "../tool-error.js";

/** Rejects references a tool template cannot resolve (steps., context., outputs.): those belong in plans. */
export function checkTemplate(file: string, tool: string, where: string, template: unknown): void {
  for (const site of findReferences(template)) {
    for (const ref of site.refs) {
      if (!ref.ok) throw new ManifestError(file, `tool ${tool}: ${where}: ${ref.message}`);
      if (ref.ref.root !== "args" && ref.ref.root !== "secrets") {
        throw new ManifestError(
          file,
          `tool ${tool}: ${where} may only reference \${{ args.<path> }} or \${{ secrets.NAME }}, not \`${ref.ref.text}\``,
        );
      }
    }
  }
}

/** Looks a reference up in the validated args or the call's secrets. `undefined` means an absent optional arg. */
export function lookup(ref: Reference, args: unknown, secrets: Readonly<Record<string, string>>): unknown {
  if (ref.root === "secrets") {
    const value = secrets[ref.name];
    if (value === undefined) {
      throw new ToolError(
        "SECRET_MISSING",
        `secret ${ref.name} is not set; pass it to the run (e.g. environment variable ${ref.name})`,
      );
    }
    return value;
  }
  const found = getPath(args, ref.path);
  return found.found ? found.value : undefined;
}

/** Resolves a template string into text; `encode` escapes each interpolated value (URLs). */
export function renderText(
  template: string,
  args: unknown,
  secrets: Readonly<Record<string, string>>,
  encode: (text: string) => string = (t) => t,
): string {
  const rendered = substitute(`\u0000${template}`, (ref) => {
    const value = lookup(ref, args, secrets);
    if (value === undefined)
      throw new ToolError(
        "ARG_MISSING",
        `\`${ref.text}\` has no value; make the arg required in the input schema or drop it from the template`,
      );
    return encode(typeof value === "string" ? value : JSON.stringify(value));
  });
  // The leading NUL forces interpolation, so a whole-string reference also becomes text.
  return (rendered as string).slice(1);
}

/** Replaces every secret in `text`, raw or encoded (URL, JSON, base64): servers echo requests back in error bodies. */
export function redact(text: string, secrets: Readonly<Record<string, string>>): string {
  return redactText(text, formsOf(Object.values(secrets)));
}
