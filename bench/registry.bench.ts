// Registry overhead: an mcp call through `registry.call` against the same
// server called directly with the SDK client, and a no-op inline tool.
// `npx tsx bench/index.ts registry`
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { loadManifest, Registry } from "../src/registry/index.js";
import { median, sample, type BenchTable } from "./table.js";

const SERVER = fileURLToPath(
  new URL("../node_modules/@modelcontextprotocol/server-filesystem/dist/index.js", import.meta.url),
);
const WARMUP = 50;
const MCP_CALLS = 500;
const INLINE_CALLS = 20_000;

export default async function bench(): Promise<BenchTable[]> {
  const dir = await mkdtemp(join(tmpdir(), "planfile-bench-"));
  try {
    const viaRegistry = await timeRegistry(dir);
    const direct = await timeDirect(dir);
    const inline = await timeInline(dir);
    const ratio = viaRegistry / direct;
    return [
      {
        title: `registry overhead (median per call, ms; ${MCP_CALLS} mcp calls, ${INLINE_CALLS} inline calls)`,
        columns: ["call", "median ms", "vs direct SDK"],
        rows: [
          ["mcp list_allowed_directories, SDK client directly", direct, 1],
          ["mcp list_allowed_directories, registry.call", viaRegistry, ratio],
          ["inline no-op tool, registry.call", inline, "-"],
        ],
        notes: [
          `target: registry mcp call ≤ 3x the direct SDK call — ${ratio <= 3 ? "holds" : "MISSED"} (${ratio.toFixed(2)}x)`,
        ],
      },
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function timeRegistry(dir: string): Promise<number> {
  const file = join(dir, "bench.tools.yaml");
  await writeFile(
    file,
    [
      "apiVersion: planfile/v1",
      "kind: ToolSet",
      "name: fs",
      `implementation: {kind: mcp, command: ${JSON.stringify(process.execPath)}, args: [${JSON.stringify(SERVER)}, ${JSON.stringify(dir)}]}`,
      "tools:",
      "  - {name: fs.list_allowed_directories, description: List roots., effect: read, idempotent: true}",
      "",
    ].join("\n"),
  );
  const registry = new Registry(dir);
  try {
    await loadManifest(registry, file);
    const call = () => registry.call("fs.list_allowed_directories", {}, { idempotencyKey: "bench:step" });
    await sample(WARMUP, call);
    return median(await sample(MCP_CALLS, call));
  } finally {
    await registry.close();
  }
}

async function timeDirect(dir: string): Promise<number> {
  const client = new Client({ name: "bench", version: "0.0.0" });
  await client.connect(new StdioClientTransport({ command: process.execPath, args: [SERVER, dir], stderr: "pipe" }));
  try {
    await client.listTools();
    const call = () => client.callTool({ name: "list_allowed_directories", arguments: {} });
    await sample(WARMUP, call);
    return median(await sample(MCP_CALLS, call));
  } finally {
    await client.close();
  }
}

async function timeInline(dir: string): Promise<number> {
  const registry = new Registry(dir).define({
    name: "bench.noop",
    description: "Does nothing.",
    effect: "read",
    idempotent: true,
    input: { type: "object" },
    output: { type: "object" },
    handler: () => ({}),
  });
  const call = () => registry.call("bench.noop", {});
  await sample(WARMUP, call);
  return median(await sample(INLINE_CALLS, call));
}
