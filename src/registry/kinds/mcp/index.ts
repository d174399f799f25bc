/**
 * `mcp` tools: served by a Model Context Protocol server over stdio
 * (`implementation: {kind: mcp, command, args, env, cwd}`). Each manifest tool
 * names the server's tool in `mcpTool` (default: the last segment of its name).
 *
 * Connect strategy: the registry needs the server's schemas when the manifest
 * loads. They come from the cache (schema-cache.ts) when it has them, so
 * `validate` or `show` start no server; otherwise the server is started and
 * asked. The server starts at the latest on the first call, serves every call
 * and restarts after a crash (see connection.ts). A registry loaded from the
 * cache asks the server again before its first call, and a changed description
 * fails that call rather than run it against stale schemas. A manifest's own `input`/`output` win over the server's.
 * Effect and idempotence follow policy.ts; output follows output.ts.
 *
 * A relative `command` (`./server`) and `cwd` are taken from the manifest's
 * folder. The server sees only the SDK's safe default environment plus `env`,
 * never the caller's secrets. Each call carries the idempotency key in
 * `_meta["planfile.dev/idempotencyKey"]`. A dry run of a non-read tool sets
 * `dryRun: true` in the arguments when the server's input schema has such a
 * property (server-filesystem's `edit_file` does) and is refused otherwise.
 */
import { dirname, resolve } from "node:path";
import { ErrorCode, McpError } from "@modelcontextprotocol/sdk/types.js";
import { ManifestError } from "../../../errors.js";
import { sharedAjv } from "../../../schema/ajv.js";
import { ToolError } from "../../tool-error.js";
import type { DiscoveredTool, HandlerContext, Kind } from "../../types.js";
import { ServerConnection } from "./connection.js";
import { CONTENT_OUTPUT_SCHEMA, fromServer, toOutput, type ToolResult } from "./output.js";
import { tighten } from "./policy.js";
import { cacheFile, readCached, sameTools, writeCached, type ServedTool } from "./schema-cache.js";
import type { ToolSet } from "../../../schema/types.generated.js";

/** The registry's timeout and signal end a call; the SDK's own timeout only has to stay out of the way. */
const SDK_REQUEST_TIMEOUT_MS = 24 * 60 * 60 * 1000;

export const mcpKind: Kind = {
  async load(set, { file, stateDir }) {
    if (set.implementation.kind !== "mcp") throw new Error("unreachable");
    const { command, args = [], env, cwd } = set.implementation;
    const here = dirname(file);
    const spec = {
      command: /^\.\.?\//.test(command) ? resolve(here, command) : command,
      args,
      env,
      cwd: cwd === undefined ? undefined : resolve(here, cwd),
    };
    const connection = new ServerConnection(spec, [command, ...args].join(" "));
    const cache = cacheFile(stateDir, spec);

    const listLive = async (): Promise<ServedTool[]> => {
      const tools = (await (await connection.client()).listTools(undefined, { timeout: 20_000 })).tools;
      writeCached(cache, tools);
      return tools;
    };
    try {
      let served = readCached(cache);
      let fromCache = served !== undefined;
      let described: Described;
      try {
        described = describe(set, file, (served ??= await listLive()));
      } catch (error) {
        // A cached description that no longer fits the manifest may just be old: ask the server before failing.
        if (!fromCache) throw error;
        fromCache = false;
        described = describe(set, file, (served = await listLive()));
      }
      // Loaded from the cache: before the first call, make sure the server still says the same.
      let checked: Promise<void> | undefined = fromCache ? undefined : Promise.resolve();
      const ensureCurrent = () =>
        (checked ??= (async () => {
          const live = (await (await connection.client()).listTools(undefined, { timeout: 20_000 })).tools;
          if (sameTools(live, served!)) return;
          writeCached(cache, live);
          throw new ToolError(
            "MCP_TOOLS_CHANGED",
            `MCP server \`${connection.label}\` describes its tools differently than when they were cached; the new description is saved: run again so the plan is checked against it`,
          );
        })().catch((error: unknown) => {
          checked = undefined;
          throw error;
        }));
      return {
        discovered: described.discovered,
        driver: {
          call: async (tool, callArgs, context) => {
            await ensureCurrent();
            return callTool(connection, described.serverNames.get(tool.name)!, callArgs, context);
          },
          close: () => connection.close(),
        },
      };
    } catch (error) {
      await connection.close();
      throw error instanceof ManifestError
        ? error
        : new ManifestError(file, (error as Error).message, { cause: error });
    }
  },
};

interface Described {
  discovered: Map<string, DiscoveredTool>;
  serverNames: Map<string, string>;
}

/** Matches the manifest's tools with what the server serves; a mismatch is the manifest's error. */
function describe(set: ToolSet, file: string, served: ServedTool[]): Described {
  const byName = new Map(served.map((t) => [t.name, t]));
  const serverNames = new Map<string, string>();
  const discovered = new Map<string, DiscoveredTool>();
  for (const tool of set.tools) {
    const serverName = tool.mcpTool ?? tool.name.split(".").at(-1)!;
    const remote = byName.get(serverName);
    if (!remote) {
      throw new ManifestError(
        file,
        `tool ${tool.name}: the server has no tool \`${serverName}\`; it serves ${[...byName.keys()].join(", ")}. Set \`mcpTool:\` to one of them`,
      );
    }
    const strictness = tighten(file, tool, serverName, remote.annotations);
    serverNames.set(tool.name, serverName);
    const input = fromServer(remote.inputSchema);
    const output = fromServer(remote.outputSchema) ?? CONTENT_OUTPUT_SCHEMA;
    for (const [key, schema] of [
      ["inputSchema", input],
      ["outputSchema", output],
    ] as const) {
      if (schema !== undefined && !sharedAjv().validateSchema(schema)) {
        throw new ManifestError(
          file,
          `tool ${tool.name}: the server's ${key} for \`${serverName}\` is not a valid JSON Schema (${sharedAjv().errorsText()}); declare \`${key === "inputSchema" ? "input" : "output"}:\` in the manifest instead`,
        );
      }
    }
    discovered.set(tool.name, { input, output, ...strictness });
  }
  return { discovered, serverNames };
}

async function callTool(
  connection: ServerConnection,
  name: string,
  args: unknown,
  context: HandlerContext,
): Promise<unknown> {
  const client = await connection.client();
  const params = {
    name,
    arguments: dryRunArgs(context, args as Record<string, unknown>),
    _meta: context.idempotencyKey ? { "planfile.dev/idempotencyKey": context.idempotencyKey } : undefined,
  };
  let result: ToolResult;
  try {
    result = (await client.callTool(params, undefined, {
      signal: context.signal,
      timeout: SDK_REQUEST_TIMEOUT_MS,
    })) as ToolResult;
  } catch (cause) {
    if (context.signal.aborted) throw context.signal.reason;
    if (cause instanceof McpError && cause.code === ErrorCode.ConnectionClosed) {
      const tail = connection.stderrTail();
      throw new ToolError(
        "MCP_SERVER_EXITED",
        `MCP server \`${connection.label}\` exited during \`${name}\`${tail ? `; its stderr: ${tail.slice(-500)}` : ""}. It restarts on the next call; the call's effect is unknown`,
        { transient: true, cause },
      );
    }
    const code = cause instanceof McpError ? `MCP_ERROR_${cause.code}` : "MCP_ERROR";
    throw new ToolError(code, `MCP server \`${connection.label}\` refused \`${name}\`: ${(cause as Error).message}`, {
      cause,
    });
  }
  return toOutput(name, result);
}

function dryRunArgs(context: HandlerContext, args: Record<string, unknown>): Record<string, unknown> {
  if (!context.dryRun || context.tool.effect === "read") return args;
  const schema = context.tool.inputSchema;
  const properties =
    typeof schema === "object" ? (schema.properties as Record<string, unknown> | undefined) : undefined;
  if (!properties || !("dryRun" in properties)) {
    throw new ToolError(
      "DRY_RUN_UNSUPPORTED",
      `${context.tool.name} has no \`dryRun\` argument on the server; drop \`dryRun: true\` from its manifest entry`,
    );
  }
  return { ...args, dryRun: true };
}
