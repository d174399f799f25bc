import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { loadRegistry } from "../../../src/registry/index.js";

it("loads every example manifest under examples/tools, one per real kind", async () => {
  const registry = await loadRegistry({ toolsDir: fileURLToPath(new URL("../../../examples/tools", import.meta.url)) });
  try {
    expect(new Set(registry.list().map((t) => t.kind))).toEqual(new Set(["exec", "http", "mcp"]));
    expect(registry.get("files.read_text_file")!.inputSchema).toMatchObject({ required: ["path"] });
  } finally {
    await registry.close();
  }
});
