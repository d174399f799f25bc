import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManifestError } from "../../../src/errors.js";
import { loadManifest, Registry } from "../../../src/registry/index.js";
import { loadFixture } from "./fixture.js";
import { alive, childPids, waitUntil } from "./processes.js";
import { failure } from "./failure.js";

const SERVER = new URL("../../../node_modules/@modelcontextprotocol/server-filesystem/dist/index.js", import.meta.url)
  .pathname;
const MISBEHAVING = new URL("../../fixtures/kinds/misbehaving.tools.yaml", import.meta.url).pathname;
const SNEAKY = new URL("../../fixtures/kinds/sneaky.tools.yaml", import.meta.url).pathname;

describe("mcp kind against @modelcontextprotocol/server-filesystem", () => {
  let dir: string;
  let root: string;
  let registry: Registry;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "planfile-mcp-"));
    root = join(dir, "root");
    await mkdir(root);
    registry = new Registry(dir);
    await loadFixture(registry, "filesystem", dir, { SERVER, ROOT: root });
  });
  afterAll(async () => {
    await registry.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("writes, reads and lists files through the real server", async () => {
    const path = join(root, "note.txt");
    await registry.call("fs.write_file", { path, content: "hello from planfile" });
    expect(await readFile(path, "utf8")).toBe("hello from planfile");
    expect(await registry.call("fs.read_text_file", { path })).toEqual({ content: "hello from planfile" });
    const listing = (await registry.call("fs.list_directory", { path: root })) as { content: string };
    expect(listing.content).toContain("[FILE] note.txt");
  });

  it("takes schemas from the server when the manifest leaves them out", () => {
    const tool = registry.get("fs.write_file")!;
    expect(tool.inputSchema).toMatchObject({ type: "object", required: ["path", "content"] });
    expect(tool.outputSchema).toMatchObject({ required: ["content"] });
    expect(tool.inputSchema).not.toHaveProperty("$schema");
  });

  it("rejects args that break the server's input schema before calling it", async () => {
    const error = await failure(registry.call("fs.write_file", { path: join(root, "x") }));
    expect(error.code).toBe("TOOL_INPUT_INVALID");
  });

  it("keeps the manifest's effect, made stricter by the server's destructiveHint", () => {
    expect(registry.get("fs.read_text_file")!.effect).toBe("read");
    expect(registry.get("fs.mkdir")!.effect).toBe("write");
    // The manifest says write; the server says destructiveHint: true.
    expect(registry.get("fs.write_file")!.effect).toBe("destructive");
  });

  it("shuts the server down on close()", async () => {
    const other = new Registry(dir);
    const marker = join(dir, "close-root");
    await mkdir(marker);
    await loadFixture(other, "filesystem", dir, { SERVER, ROOT: marker });
    const pids = childPids(marker);
    expect(pids).toHaveLength(1);
    await other.close();
    expect(await waitUntil(() => !alive(pids[0]!))).toBe(true);
  });
});

describe("mcp kind against a misbehaving server", () => {
  let dir: string;
  let registry: Registry;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "planfile-mcp-"));
    registry = new Registry(dir);
    await loadManifest(registry, MISBEHAVING);
  });
  afterAll(async () => {
    await registry.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("returns structuredContent when the server sends it", async () => {
    expect(await registry.call("km.echo", { text: "hi" })).toEqual({ text: "hi", length: 2 });
  });

  it("returns {content, text} when the server sends only content blocks", async () => {
    const out = await registry.call("km.plain", { text: "ab" });
    expect(out).toEqual({
      content: [
        { type: "text", text: "ab" },
        { type: "text", text: "AB" },
      ],
      text: "ab\nAB",
    });
    expect(registry.get("km.plain")!.outputSchema).toMatchObject({ required: ["content", "text"] });
  });

  it("lets the manifest's own schemas win over the server's", async () => {
    const error = await failure(registry.call("km.echo-strict", { text: "toolong" }));
    expect(error.code).toBe("TOOL_INPUT_INVALID");
  });

  it("turns isError into a typed tool error carrying the server's text", async () => {
    const error = await failure(registry.call("km.fail", {}));
    expect(error.code).toBe("TOOL_FAILED");
    expect(error.details.toolCode).toBe("MCP_TOOL_ERROR");
    expect(error.message).toContain("disk full on /data");
  });

  it("ends a call the server never answers as TOOL_TIMEOUT", async () => {
    const error = await failure(registry.call("km.hang", {}));
    expect(error.code).toBe("TOOL_TIMEOUT");
  });

  it("makes a write destructive and not idempotent when the server's annotations say so", () => {
    expect(registry.get("km.remove")).toMatchObject({ effect: "destructive", idempotent: false });
  });

  it("refuses a manifest that calls a modifying server tool a read", async () => {
    const other = new Registry(dir);
    const error = await failure(loadManifest(other, SNEAKY), Error);
    expect(error).toBeInstanceOf(ManifestError);
    expect(error.message).toContain("declare `effect: write`");
    expect(childPids("misbehaving-server").length).toBe(1);
  });

  it("refuses a manifest naming a tool the server does not have", async () => {
    const file = join(dir, "missing.tools.yaml");
    const text = (await readFile(SNEAKY, "utf8"))
      .replace("ks.sneaky,", "ks.nothing,")
      .replace("cwd: .", `cwd: ${JSON.stringify(new URL("../../fixtures/kinds", import.meta.url).pathname)}`);
    await writeFile(file, text);
    const error = await failure(loadManifest(new Registry(dir), file), Error);
    expect(error.message).toContain("the server has no tool `nothing`");
  });

  it("passes dryRun to a server tool that declares it, and refuses none", async () => {
    expect(await registry.call("km.edit", { value: "v" }, { dryRun: true })).toEqual({ applied: false, value: "v" });
    expect(await registry.call("km.edit", { value: "v" })).toEqual({ applied: true, value: "v" });
  });

  it("reports a server killed mid-call as a typed, transient error, then restarts it", async () => {
    const [pid] = childPids("misbehaving-server");
    const marker = join(dir, "slow-called");
    const call = registry.call("km.slow", { marker });
    // Kill only once the server holds the call, so the test never races the request.
    expect(await waitUntil(() => existsSync(marker))).toBe(true);
    process.kill(pid!, "SIGKILL");
    const error = await failure(call);
    expect(error.details.toolCode).toBe("MCP_SERVER_EXITED");
    expect(error.transient).toBe(true);
    expect(await registry.call("km.echo", { text: "back" })).toEqual({ text: "back", length: 4 });
  });

  it("reports a server that exits while answering, with its stderr", async () => {
    const error = await failure(registry.call("km.die", {}));
    expect(error.details.toolCode).toBe("MCP_SERVER_EXITED");
    expect(error.message).toContain("dying on purpose");
  });
});
