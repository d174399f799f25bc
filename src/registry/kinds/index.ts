import type { Kind, ToolKind } from "../types.js";
import { execKind } from "./exec/index.js";
import { httpKind } from "./http/index.js";
import { moduleKind } from "./module.js";

/** Tool kinds by name. Each kind lives in its own module; a plan never knows which one serves a tool. */
export const kinds: Partial<Record<ToolKind, Kind>> = {
  module: moduleKind,
  exec: execKind,
  http: httpKind,
  // The MCP SDK costs ~0.2 s to load: only a manifest that uses it pays.
  mcp: { load: async (set, options) => (await import("./mcp/index.js")).mcpKind.load(set, options) },
};
