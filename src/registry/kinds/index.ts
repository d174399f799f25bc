import type { Kind, ToolKind } from "../types.js";
import { moduleKind } from "./module.js";

/** Tool kinds by name. Each kind lives in its own module; a plan never knows which one serves a tool. */
export const kinds: Partial<Record<ToolKind, Kind>> = {
  module: moduleKind,
  // Loaded when a manifest uses them: the shipped tools are all modules, and the MCP SDK alone costs ~0.2 s.
  exec: { load: async (set, options) => (await import("./exec/index.js")).execKind.load(set, options) },
  http: { load: async (set, options) => (await import("./http/index.js")).httpKind.load(set, options) },
  mcp: { load: async (set, options) => (await import("./mcp/index.js")).mcpKind.load(set, options) },
};
