export { Registry, DEFAULT_TIMEOUT_MS, type InlineTool } from "./registry.js";
export { loadRegistry, loadManifest, MANIFEST_SUFFIX, DEFAULT_TOOLS_DIR, type LoadRegistryOptions } from "./load.js";
export { ToolError } from "./tool-error.js";
export type * from "./types.js";
