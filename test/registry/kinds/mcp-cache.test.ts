import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Registry } from "../../../src/registry/index.js";
import { loadFixture } from "./fixture.js";

const SERVER = resolve("test/fixtures/mcp/misbehaving-server.mjs");
let dir: string;
let log: string;
const open: Registry[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "planfile-mcp-cache-"));
  log = join(dir, "starts.log");
  writeFileSync(log, "");
});
afterEach(async () => {
  for (const r of open.splice(0)) await r.close();
  await rm(dir, { recursive: true, force: true });
});

async function load(): Promise<Registry> {
  const registry = new Registry(dir);
  open.push(registry);
  await loadFixture(registry, "cached", dir, { SERVER, LOG: log });
  return registry;
}
const starts = () => readFileSync(log, "utf8").split("\n").filter(Boolean).length;
const cacheFiles = () => readdirSync(join(dir, "cache", "mcp")).filter((f) => f.endsWith(".json"));

describe("mcp schemas are cached under the state folder", () => {
  it("a second load starts no server; the first call starts it and checks the description", async () => {
    await load();
    expect(starts()).toBe(1);
    expect(cacheFiles()).toHaveLength(1);

    const again = await load();
    expect(starts()).toBe(1); // validate/show/plan stop here: no server was started
    expect(again.get("kc.echo")!.inputSchema).toMatchObject({ properties: { text: { type: "string" } } });

    expect(await again.call("kc.echo", { text: "hi" })).toEqual({ text: "hi", length: 2 });
    expect(starts()).toBe(2);
  });

  it("a stale cache fails the first call clearly, saves the server's new description, and the next load works", async () => {
    await load();
    const file = join(dir, "cache", "mcp", cacheFiles()[0]!);
    const cached = JSON.parse(readFileSync(file, "utf8"));
    cached.tools.find((t: { name: string }) => t.name === "echo").description = "an older version of echo";
    writeFileSync(file, JSON.stringify(cached));

    const stale = await load();
    await expect(stale.call("kc.echo", { text: "hi" })).rejects.toMatchObject({
      details: { toolCode: "MCP_TOOLS_CHANGED" },
    });
    expect(readFileSync(file, "utf8")).not.toContain("an older version of echo");

    const fresh = await load();
    expect(await fresh.call("kc.echo", { text: "ok" })).toEqual({ text: "ok", length: 2 });
  });

  it("a cache that lacks a tool the manifest names is refreshed from the server before failing", async () => {
    await load();
    const file = join(dir, "cache", "mcp", cacheFiles()[0]!);
    writeFileSync(file, JSON.stringify({ tools: [] }));
    const registry = await load();
    expect(registry.has("kc.echo")).toBe(true);
    expect(starts()).toBe(2);
  });
});
