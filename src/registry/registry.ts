import type { ValidateFunction } from "ajv";
import { compileSchema, sharedAjv } from "../schema/ajv.js";
import { ToolCallError } from "../errors.js";
import { ToolError } from "./tool-error.js";
import type { CallOptions, DiscoveredTool, Driver, Effect, Handler, HandlerContext, ToolDefinition } from "./types.js";
import type { Tool } from "../schema/types.generated.js";
import { EMPTY_POLICY, type Policy } from "../policy/types.js";

export const DEFAULT_TIMEOUT_MS = 30_000;

interface Entry {
  tool: ToolDefinition;
  driver: Driver;
  input?: ValidateFunction;
  output?: ValidateFunction;
}

/** What `Registry.define` takes: a manifest entry plus its handler, for tools written in code (tests, benchmarks, embedding). */
export type InlineTool = Omit<Tool, "handler"> & { handler: Handler };

/**
 * The one way to call a tool: validate input → call with timeout and
 * idempotency key → validate output. Nothing else calls a handler directly.
 */
export class Registry {
  private readonly entries = new Map<string, Entry>();
  private readonly drivers = new Set<Driver>();
  /** The operator's risk policy; the validator applies it to every plan checked against these tools. */
  policy: Policy = EMPTY_POLICY;

  constructor(
    readonly stateDir = ".planfile",
    /** `stateDir` is a throwaway copy; tools may skip fsync (see HandlerContext.scratch). */
    readonly scratch = false,
  ) {}

  add(tool: ToolDefinition, driver: Driver): void {
    if (this.entries.has(tool.name)) {
      const other = this.entries.get(tool.name)!.tool.file;
      throw new Error(`tool ${tool.name} is declared twice: in ${other} and ${tool.file}`);
    }
    this.entries.set(tool.name, { tool, driver });
    this.drivers.add(driver);
  }

  /** Registers tools implemented by in-process functions. */
  define(...tools: InlineTool[]): this {
    for (const { handler, ...manifest } of tools) {
      this.add(toDefinition(manifest, "<inline>", "module"), {
        call: (_t, args, ctx) => Promise.resolve(handler(args, ctx)),
      });
    }
    return this;
  }

  /**
   * The same tools over another state folder: a dry run executes local-state
   * tools for real on a scratch copy. Compiled validators are shared; drivers
   * stay owned (and closed) by this registry.
   */
  withStateDir(stateDir: string, options: { scratch?: boolean } = {}): Registry {
    const fork = new Registry(stateDir, options.scratch ?? false);
    fork.policy = this.policy;
    for (const [name, entry] of this.entries) fork.entries.set(name, entry);
    return fork;
  }

  get(name: string): ToolDefinition | undefined {
    return this.entries.get(name)?.tool;
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  list(): ToolDefinition[] {
    return [...this.entries.values()].map((e) => e.tool).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The compiled input validator of a tool; compiled on first use (or loaded from the cache), then kept. */
  inputValidator(name: string): ValidateFunction {
    const entry = this.mustGet(name);
    return (entry.input ??= compileSchema(entry.tool.inputSchema));
  }

  outputValidator(name: string): ValidateFunction {
    const entry = this.mustGet(name);
    return (entry.output ??= compileSchema(entry.tool.outputSchema));
  }

  async call(name: string, args: unknown, options: CallOptions = {}): Promise<unknown> {
    const entry = this.entries.get(name);
    if (!entry)
      throw new ToolCallError(
        "TOOL_NOT_FOUND",
        name,
        `no tool named ${name} is registered; run \`tsx src/validate.ts\` to check the plan`,
      );
    const { tool, driver } = entry;

    const validateIn = this.inputValidator(name);
    if (!validateIn(args)) {
      throw new ToolCallError(
        "TOOL_INPUT_INVALID",
        name,
        `${name}: invalid input: ${sharedAjv().errorsText(validateIn.errors, { dataVar: "args" })}`,
      );
    }
    if (options.dryRun && tool.effect !== "read" && !tool.dryRun) {
      throw new ToolCallError("TOOL_FAILED", name, `${name} does not support dry runs`, {
        toolCode: "DRY_RUN_UNSUPPORTED",
      });
    }

    const timeoutMs = options.timeoutMs ?? tool.timeoutMs;
    // Per call, only what a call needs: the abort signal is made when the handler reads it (most never do) or a
    // timeout or cancellation fires, and one promise settles the call, its timeout and its cancellation.
    // Thousands of calls in a run each used to keep a controller, a signal and a race alive (issue 16).
    const context = new CallContext(tool, options, this.stateDir, this.scratch);

    const signal = options.signal;
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    let output: unknown;
    try {
      output = await new Promise<unknown>((resolve, reject) => {
        if (signal?.aborted) {
          context.abort(signal.reason);
          return reject(cancelledError(name));
        }
        timer = setTimeout(() => {
          const error = new ToolCallError("TOOL_TIMEOUT", name, `${name} did not answer within ${timeoutMs} ms`);
          context.abort(error);
          reject(error);
        }, timeoutMs);
        if (signal) {
          onAbort = () => {
            context.abort(signal.reason);
            reject(cancelledError(name));
          };
          signal.addEventListener("abort", onAbort, { once: true });
        }
        driver.call(tool, args, context).then(resolve, reject);
      });
    } catch (error) {
      throw asToolCallError(name, error);
    } finally {
      clearTimeout(timer);
      if (onAbort) signal?.removeEventListener("abort", onAbort);
    }

    const validateOut = this.outputValidator(name);
    if (!validateOut(output)) {
      throw new ToolCallError(
        "TOOL_OUTPUT_INVALID",
        name,
        `${name} returned output that breaks its output schema: ${sharedAjv().errorsText(validateOut.errors, { dataVar: "output" })}`,
      );
    }
    return output;
  }

  /** Closes every driver (MCP servers, connections), collecting failures instead of stopping at the first. */
  async close(): Promise<void> {
    const results = await Promise.allSettled([...this.drivers].map((d) => d.close?.()));
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed.length > 0)
      throw new AggregateError(
        failed.map((f) => f.reason),
        "some tool drivers failed to close",
      );
  }

  private mustGet(name: string): Entry {
    const entry = this.entries.get(name);
    if (!entry) throw new ToolCallError("TOOL_NOT_FOUND", name, `no tool named ${name} is registered`);
    return entry;
  }
}

/**
 * What a handler gets. A class, so `signal` is a getter on the prototype: an object literal with a getter gets a
 * hidden class of its own per call, which V8 allocates in old space, and that keeps the call's closures (and
 * what they reach) alive through every scavenge until a full GC: about 1.4 KB per step of a 10k-step run
 * promoted to old space for nothing (issue 16, item 4).
 */
class CallContext implements HandlerContext {
  private controller: AbortController | undefined;
  readonly idempotencyKey: string | undefined;
  readonly dryRun: boolean;
  readonly secrets: Readonly<Record<string, string>>;
  readonly scratch?: boolean;

  constructor(
    readonly tool: ToolDefinition,
    options: CallOptions,
    readonly stateDir: string,
    scratch: boolean,
  ) {
    this.idempotencyKey = options.idempotencyKey;
    this.dryRun = options.dryRun ?? false;
    this.secrets = options.secrets ?? {};
    if (scratch) this.scratch = true;
  }

  /** Made when a handler reads it (most never do) or a timeout or cancellation fires. */
  get signal(): AbortSignal {
    return (this.controller ??= new AbortController()).signal;
  }

  abort(reason: unknown): void {
    (this.controller ??= new AbortController()).abort(reason);
  }
}

function cancelledError(name: string): ToolCallError {
  return new ToolCallError("TOOL_FAILED", name, `${name} was cancelled`, { toolCode: "CANCELLED" });
}

function asToolCallError(name: string, error: unknown): ToolCallError {
  if (error instanceof ToolCallError) return error;
  if (error instanceof ToolError) {
    return new ToolCallError(
      "TOOL_FAILED",
      name,
      `${name} failed: ${error.code}: ${error.message}`,
      { transient: error.transient, toolCode: error.code },
      { cause: error },
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return new ToolCallError(
    "TOOL_FAILED",
    name,
    `${name} crashed: ${message}`,
    { toolCode: "HANDLER_CRASHED" },
    { cause: error },
  );
}

export function toDefinition(
  tool: Tool,
  file: string,
  kind: ToolDefinition["kind"],
  discovered: DiscoveredTool = {},
  localState = false,
): ToolDefinition {
  return {
    name: tool.name,
    description: tool.description,
    effect: stricter(tool.effect, discovered.effect),
    idempotent: tool.idempotent && discovered.idempotent !== false,
    probe: tool.probe ?? false,
    dryRun: tool.dryRun ?? tool.effect === "read",
    timeoutMs: tool.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    inputSchema: (tool.input as ToolDefinition["inputSchema"] | undefined) ?? discovered.input ?? { type: "object" },
    outputSchema: (tool.output as ToolDefinition["outputSchema"] | undefined) ??
      discovered.output ?? { type: "object" },
    compensation: tool.compensation,
    localState,
    kind,
    file,
    manifest: tool,
  };
}

const EFFECT_RANK: Record<Effect, number> = { read: 0, write: 1, destructive: 2 };

/** What a kind discovers may make a tool stricter, never looser than its operator declared. */
function stricter(declared: Effect, discovered: Effect | undefined): Effect {
  return discovered && EFFECT_RANK[discovered] > EFFECT_RANK[declared] ? discovered : declared;
}
