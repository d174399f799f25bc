/**
 * Where concurrency limits belong: on what a call competes for, not on the
 * plan. In-process tools (module kind: the sandbox, the postgres pack) mostly
 * wait on I/O, so a wide layer runs all at once; an exec tool is a process
 * that wants a core; an MCP server is one process answering in turn; an http
 * endpoint is somebody else's server. `--concurrency N` stays as a global cap.
 */
import { availableParallelism } from "node:os";
import type { ToolKind } from "../registry/types.js";

/** No global cap unless the caller sets one. */
export const DEFAULT_CONCURRENCY = Number.POSITIVE_INFINITY;

export function kindLimit(kind: ToolKind): number {
  switch (kind) {
    case "exec":
      return Math.max(1, availableParallelism());
    case "mcp":
      return 4;
    case "http":
      return 16;
    default:
      return Number.POSITIVE_INFINITY;
  }
}
