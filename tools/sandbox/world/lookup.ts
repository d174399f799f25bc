/** Lookups that fail the way a cloud API does, naming the listing tool that shows what exists. */
import { ToolError } from "../../../src/registry/tool-error.js";

export function mustFind<T>(items: Record<string, T>, name: string, what: string, listTool: string): T {
  const item = Object.hasOwn(items, name) ? items[name] : undefined;
  if (item === undefined) {
    const known = Object.keys(items).sort().slice(0, 10).join(", ") || "none";
    throw new ToolError(
      "NOT_FOUND",
      `${what} \`${name}\` does not exist (known: ${known}); call ${listTool} to see what exists`,
    );
  }
  return item;
}

export function mustNotExist(items: Record<string, unknown>, name: string, what: string, hint: string): void {
  if (Object.hasOwn(items, name)) throw new ToolError("ALREADY_EXISTS", `${what} \`${name}\` already exists; ${hint}`);
}

export function precondition(ok: boolean, message: string): asserts ok {
  if (!ok) throw new ToolError("PRECONDITION_FAILED", message);
}
