// Loading tools/ reads each manifest back from the user's cache once it has passed every check
// (src/registry/manifest-cache.ts): the cache saves the YAML parse, and must never change an answer.
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ManifestError } from "../../src/errors.js";
import { loadRegistry } from "../../src/registry/index.js";
import { manifestKey } from "../../src/registry/manifest-cache.js";
import { readEntry, sha256, writeEntry } from "../../src/schema/disk-cache.js";

let dir: string;
let tools: string;
let manifest: string;
const cache = () => join(dir, "cache");
const load = (options: { lazyHandlers?: boolean } = {}) =>
  loadRegistry({ toolsDir: tools, stateDir: join(dir, "state"), policyFile: false, ...options });
const describeOf = async () => (await load()).get("demo.db.describe")?.description;
const entries = () => readdirSync(join(cache(), "manifests")).filter((f) => f.endsWith(".entry"));
const entryFile = () => join(cache(), "manifests", `${manifestKey(readFileSync(manifest, "utf8"))}.entry`);
const edit = (from: string, to: string) => writeFileSync(manifest, readFileSync(manifest, "utf8").replace(from, to));

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "planfile-manifest-cache-"));
  tools = join(dir, "tools");
  cpSync("test/fixtures/tools", tools, { recursive: true });
  manifest = join(tools, "demo.tools.yaml");
  process.env.PLANFILE_CACHE_DIR = cache();
});

afterEach(() => {
  delete process.env.PLANFILE_CACHE_DIR;
  rmSync(dir, { recursive: true, force: true });
});

describe("the manifest cache", () => {
  it("stores a manifest that passed its checks, and later loads read it back instead of parsing", async () => {
    expect(await describeOf()).toBe("Describe a database.");
    expect(entries()).toHaveLength(1);
    // Proof that the entry is what a second load uses: an intact entry saying something else is believed.
    const key = manifestKey(readFileSync(manifest, "utf8"));
    const set = JSON.parse(readEntry("manifests", key)!);
    set.tools[0].description = "From the cache.";
    writeEntry("manifests", key, JSON.stringify(set));
    expect(await describeOf()).toBe("From the cache.");
  });

  it("a changed manifest is not served stale: its new text is a new key", async () => {
    expect(await describeOf()).toBe("Describe a database.");
    edit("Describe a database.", "Describe one database, with its size.");
    expect(await describeOf()).toBe("Describe one database, with its size.");
    edit(
      "    effect: read\n    idempotent: true\n    probe: true",
      "    effect: write\n    idempotent: true\n    probe: true",
    );
    expect((await load()).get("demo.db.describe")?.effect).toBe("write");
    expect(entries()).toHaveLength(3);
  });

  it.each([
    ["truncated", (text: string) => text.slice(0, text.length / 2)],
    ["empty", () => ""],
    ["edited without its hash", (text: string) => text.replace("Describe a database.", "Something else.")],
    ["binary noise", () => "\u0000\u00ff\u0001garbage"],
  ])("a corrupt entry (%s) is ignored and rebuilt", async (_name, corrupt) => {
    await load();
    const file = entryFile();
    writeFileSync(file, corrupt(readFileSync(file, "utf8")));
    expect(await describeOf()).toBe("Describe a database.");
    const rebuilt = readEntry("manifests", manifestKey(readFileSync(manifest, "utf8")));
    expect(JSON.parse(rebuilt!).tools[0].description).toBe("Describe a database.");
  });

  it("a foreign entry (another manifest's, under this one's name) is ignored", async () => {
    await load();
    const original = readFileSync(manifest, "utf8");
    edit("Describe a database.", "Another text.");
    await load();
    const foreign = readFileSync(entryFile(), "utf8");
    writeFileSync(manifest, original);
    writeFileSync(entryFile(), foreign);
    expect(await describeOf()).toBe("Describe a database.");
  });

  it("an intact entry that breaks the tool-set schema is not trusted: the manifest is parsed again", async () => {
    await load();
    const key = manifestKey(readFileSync(manifest, "utf8"));
    const set = JSON.parse(readEntry("manifests", key)!);
    set.tools[0].effect = "explosive";
    writeEntry("manifests", key, JSON.stringify(set));
    expect((await load()).get("demo.db.describe")?.effect).toBe("read");
  });

  it("a broken manifest is never cached, and its error still names line and column", async () => {
    await load();
    edit(
      "    effect: read\n    idempotent: true\n    probe: true",
      "    effect: sometimes\n    idempotent: true\n    probe: true",
    );
    for (let i = 0; i < 2; i++) {
      const error = await load().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ManifestError);
      expect((error as Error).message).toMatch(
        /not a valid tool manifest: 9:13 \/tools\/0\/effect must be equal to one/,
      );
    }
    expect(entries()).toHaveLength(1);
  });

  it("a cache folder that cannot be written costs time, never the load", async () => {
    writeFileSync(cache(), "a file where the folder should be");
    expect(await describeOf()).toBe("Describe a database.");
    process.env.PLANFILE_CACHE = "off";
    try {
      expect(await describeOf()).toBe("Describe a database.");
    } finally {
      delete process.env.PLANFILE_CACHE;
    }
  });

  it("every entry carries its key and the hash of its body", async () => {
    await load();
    const [header, body] = readFileSync(entryFile(), "utf8").split(/\n(.*)/s);
    expect(header).toBe(`planfile-cache/1 ${manifestKey(readFileSync(manifest, "utf8"))} ${sha256(body!)}`);
  });
});

describe("lazy handlers (validate never calls a tool)", () => {
  it("skip importing the handler module until the first call", async () => {
    writeFileSync(
      join(tools, "demo-handlers.ts"),
      `throw new Error("imported too early");\n${readFileSync(join(tools, "demo-handlers.ts"), "utf8")}`,
    );
    const registry = await load({ lazyHandlers: true });
    expect(registry.get("demo.db.describe")?.effect).toBe("read");
    await expect(registry.call("demo.db.describe", { name: "orders" })).rejects.toThrow(/imported too early/);
    await expect(load()).rejects.toThrow(/cannot import handler module \.\/demo-handlers\.ts: imported too early/);
  });

  it("still refuse a handler module that is not there", async () => {
    rmSync(join(tools, "demo-handlers.ts"));
    await expect(load({ lazyHandlers: true })).rejects.toThrow(/cannot import handler module \.\/demo-handlers\.ts/);
  });

  it("import the handler module on the first call, which then answers", async () => {
    const registry = await load({ lazyHandlers: true });
    await expect(registry.call("demo.db.describe", { name: "orders" })).resolves.toMatchObject({ name: "orders" });
  });
});
