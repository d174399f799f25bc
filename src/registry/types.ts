import type { Compensation, Implementation, Tool, ToolSet } from "../schema/types.generated.js";

export type Effect = Tool["effect"];
export type ToolKind = Implementation["kind"];
/** A JSON Schema object as ajv accepts it. */
export type JsonSchemaObject = Record<string, unknown> | boolean;

/** A tool as the rest of planfile sees it: how it is implemented is the driver's business. */
export interface ToolDefinition {
  name: string;
  description: string;
  effect: Effect;
  idempotent: boolean;
  probe: boolean;
  dryRun: boolean;
  timeoutMs: number;
  inputSchema: JsonSchemaObject;
  outputSchema: JsonSchemaObject;
  compensation?: Compensation;
  /** All its effects live under the state folder, so running it on a copy of that folder changes nothing real. */
  localState: boolean;
  kind: ToolKind;
  /** The manifest that declared it, or `<inline>` for tools registered in code. */
  file: string;
  /** The manifest entry, for drivers that need kind-specific fields (command, request, mcpTool…). */
  manifest: Tool;
  /** Its tool set's implementation, when it came from a manifest (the runner reads its `concurrency` and host). */
  implementation?: Implementation;
  /** `${{ secrets.X }}` names its manifest uses (tool entry and implementation): the runner loads them. */
  secretNames?: readonly string[];
}

export interface CallOptions {
  /** Stable across retries and resumes of the same step (`runId:stepId`), so a tool can deduplicate. */
  idempotencyKey?: string;
  signal?: AbortSignal;
  /** Ask a tool that supports dry runs to change nothing. Tools without support are refused. */
  dryRun?: boolean;
  /** Secrets available to templates at call time; never stored. */
  secrets?: Readonly<Record<string, string>>;
  /** Overrides the tool's own timeout. */
  timeoutMs?: number;
}

export interface HandlerContext {
  tool: ToolDefinition;
  signal: AbortSignal;
  idempotencyKey?: string;
  dryRun: boolean;
  secrets: Readonly<Record<string, string>>;
  /** Where tools may keep state (`.planfile/` by default). */
  stateDir: string;
  /** The state folder is a throwaway copy (a dry run's scratch): durability buys nothing there. */
  scratch?: boolean;
}

export type Handler = (args: any, context: HandlerContext) => unknown;

/** Calls the tools of one tool set. One driver per manifest file. */
export interface Driver {
  call(tool: ToolDefinition, args: unknown, context: HandlerContext): Promise<unknown>;
  close?(): Promise<void>;
}

export interface KindLoadOptions {
  /** Absolute path of the manifest. */
  file: string;
  stateDir: string;
  /** Defer importing code (handler modules) to the first call; see LoadRegistryOptions.lazyHandlers. */
  lazy?: boolean;
}

/**
 * What a kind learned about a tool while loading: schemas the manifest left
 * out (an MCP server describes its own tools), and an effect or idempotency
 * stricter than the manifest's (never looser — the loader checks).
 */
export interface DiscoveredTool {
  input?: JsonSchemaObject;
  output?: JsonSchemaObject;
  effect?: Effect;
  idempotent?: boolean;
}

/** A tool kind turns a manifest into a driver. */
export interface Kind {
  load(set: ToolSet, options: KindLoadOptions): Promise<{ driver: Driver; discovered?: Map<string, DiscoveredTool> }>;
}
