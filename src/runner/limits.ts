/**
 * Where concurrency limits belong: on what a call competes for, not on the
 * plan. In-process tools (module kind: the sandbox, the postgres pack) mostly
 * wait on I/O, so a wide layer runs all at once; an exec tool is a process
 * that wants a core; an MCP server is one process answering in turn; an http
 * endpoint is somebody else's server, limited per host. A manifest may set
 * tighter limits: `concurrency` on a tool, or on its implementation (the tool
 * set: its host for http, its server for mcp). `--concurrency N` stays as a
 * global cap.
 *
 * A step takes one place in each of its slots, and starts only when every
 * one of them has room.
 */
import { availableParallelism } from "node:os";
import type { ToolDefinition, ToolKind } from "../registry/types.js";

/** No global cap unless the caller sets one. */
export const DEFAULT_CONCURRENCY = Number.POSITIVE_INFINITY;

export const DEFAULT_MCP_LIMIT = 4;
export const DEFAULT_HTTP_HOST_LIMIT = 16;

/** A limited resource a call takes a place in, and how many places it has. */
export interface Slot {
  key: string;
  limit: number;
}

/** The default limit of a kind of tool, across all its tool sets (exec) or per set (mcp, http: per host). */
export function kindLimit(kind: ToolKind): number {
  switch (kind) {
    case "exec":
      return Math.max(1, availableParallelism());
    case "mcp":
      return DEFAULT_MCP_LIMIT;
    case "http":
      return DEFAULT_HTTP_HOST_LIMIT;
    default:
      return Number.POSITIVE_INFINITY;
  }
}

/** The slots a call of `tool` takes. */
export function slotsOf(tool: ToolDefinition): Slot[] {
  const slots: Slot[] = [];
  const declared = tool.implementation?.concurrency;
  switch (tool.kind) {
    case "exec":
      // Processes of every exec tool set compete for the same cores.
      slots.push({ key: "exec", limit: kindLimit("exec") });
      if (declared) slots.push({ key: `set ${tool.file}`, limit: declared });
      break;
    case "mcp":
      slots.push({ key: `mcp ${tool.file}`, limit: declared ?? kindLimit("mcp") });
      break;
    case "http":
      slots.push({ key: `http ${hostOf(tool)}`, limit: declared ?? kindLimit("http") });
      break;
    default:
      if (declared) slots.push({ key: `set ${tool.file}`, limit: declared });
  }
  if (tool.manifest.concurrency) slots.push({ key: `tool ${tool.name}`, limit: tool.manifest.concurrency });
  return slots;
}

/**
 * The host an http tool set calls: the origin of its `baseUrl` when that is
 * written out; a `baseUrl` built from a secret names no host before the call,
 * so the tool set counts as a host of its own.
 */
function hostOf(tool: ToolDefinition): string {
  const base = tool.implementation?.kind === "http" ? tool.implementation.baseUrl : undefined;
  if (base && !base.includes("${{")) {
    try {
      return new URL(base).host;
    } catch {
      // Not an absolute URL: fall through to the tool set.
    }
  }
  return tool.file;
}
