/**
 * Effect and idempotence come from the operator's manifest. A server's
 * annotations are hints written by someone else, so they may only make a tool
 * stricter, never looser, and only hints the server actually sets count (the
 * spec's defaults would make every unannotated tool destructive).
 *
 * - manifest `read`, server says it modifies (`readOnlyHint: false` or
 *   `destructiveHint: true`): load error. Quietly upgrading would turn a
 *   probe the planner may call freely into a write, so a person decides.
 * - manifest `write`, server says `destructiveHint: true`: destructive.
 * - manifest `idempotent: true`, server says `idempotentHint: false`: not idempotent.
 */
import { ManifestError } from "../../../errors.js";
import type { Tool } from "../../../schema/types.generated.js";

export interface Annotations {
  readOnlyHint?: boolean;
  destructiveHint?: boolean;
  idempotentHint?: boolean;
}

export function tighten(
  file: string,
  tool: Tool,
  serverName: string,
  hints: Annotations = {},
): Pick<Tool, "effect" | "idempotent"> {
  const modifies = hints.readOnlyHint === false || (hints.destructiveHint === true && hints.readOnlyHint !== true);
  if (tool.effect === "read" && modifies) {
    const what = hints.destructiveHint === true ? "destructive" : "not read-only";
    throw new ManifestError(
      file,
      `tool ${tool.name}: the server marks \`${serverName}\` as ${what}, but the manifest says \`effect: read\`; declare \`effect: ${hints.destructiveHint === true ? "destructive" : "write"}\` (a manifest may be stricter than the server, never looser)`,
    );
  }
  const effect =
    tool.effect === "write" && hints.destructiveHint === true && hints.readOnlyHint !== true
      ? "destructive"
      : tool.effect;
  const idempotent = tool.idempotent && hints.idempotentHint !== false;
  return { effect, idempotent };
}
