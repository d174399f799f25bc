/**
 * What an MCP server says its tools are, kept under `<stateDir>/cache/mcp/`
 * so that loading a registry (for `validate`, `show`, `plan`) does not start
 * every server. Keyed by how the server is started; a server whose tools
 * changed is caught on the first real call (see index.ts).
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Tool as ServedTool } from "@modelcontextprotocol/sdk/types.js";

export type { ServedTool };

export interface ServerSpec {
  command: string;
  args: string[];
  env?: Record<string, string>;
  cwd?: string;
}

export function cacheFile(stateDir: string, spec: ServerSpec): string {
  const key = createHash("sha256")
    .update(JSON.stringify([spec.command, spec.args, spec.env ?? {}, spec.cwd ?? ""]))
    .digest("hex")
    .slice(0, 24);
  return join(stateDir, "cache", "mcp", `${key}.json`);
}

export function readCached(file: string): ServedTool[] | undefined {
  try {
    const parsed = JSON.parse(readFileSync(file, "utf8")) as { tools?: unknown };
    return Array.isArray(parsed.tools) ? (parsed.tools as ServedTool[]) : undefined;
  } catch {
    return undefined; // missing or unreadable: ask the server
  }
}

export function writeCached(file: string, tools: ServedTool[]): void {
  mkdirSync(join(file, ".."), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, JSON.stringify({ tools }));
  renameSync(temp, file);
}

/** Same tools, same schemas and annotations, whatever the key order. */
export function sameTools(a: ServedTool[], b: ServedTool[]): boolean {
  return stable(a) === stable(b);
}

function stable(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([x], [y]) => x.localeCompare(y)))
      : v,
  );
}
