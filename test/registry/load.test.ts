import { describe, expect, it } from "vitest";
import { ManifestError } from "../../src/errors.js";
import { loadRegistry } from "../../src/registry/index.js";

const load = (dir: string) =>
  loadRegistry({ toolsDir: `test/fixtures/manifests/${dir}`, stateDir: ".planfile/test-manifests" });

describe("loading tools/", () => {
  it("registers every tool of every manifest with its declared effect", async () => {
    const registry = await loadRegistry({ toolsDir: "test/fixtures/tools" });
    expect(registry.list().map((t) => `${t.name}:${t.effect}`)).toEqual([
      "demo.db.describe:read",
      "demo.db.dump:write",
      "demo.storage.delete:destructive",
      "demo.storage.put:write",
    ]);
    expect(registry.get("demo.db.describe")).toMatchObject({
      probe: true,
      idempotent: true,
      kind: "module",
      file: "test/fixtures/tools/demo.tools.yaml",
    });
  });

  it.each([
    ["bad-yaml", /bad-yaml\/x\.tools\.yaml: .*5:1/],
    [
      "bad-schema",
      /bad-schema\/x\.tools\.yaml: not a valid tool manifest: 8:13 \/tools\/0\/effect must be equal to one of the allowed values/,
    ],
    [
      "no-handler",
      /no-handler\/x\.tools\.yaml: tool x\.a: \.\/h\.ts exports no function `a`; export one or set `handler:`/,
    ],
    ["wrong-namespace", /wrong-namespace\/x\.tools\.yaml: tool y\.a must be named x\.<something>/],
    ["bad-compensation", /bad-compensation\/x\.tools\.yaml: tool x\.a: compensation calls unknown tool x\.undo/],
    [
      "duplicate",
      /duplicate\/two\.tools\.yaml: tool x\.a is declared twice: in .*one\.tools\.yaml and .*two\.tools\.yaml/,
    ],
  ])("a broken manifest (%s) is an error naming its file", async (dir, message) => {
    const error = await load(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ManifestError);
    expect((error as ManifestError).code).toBe("MANIFEST_INVALID");
    expect((error as Error).message).toMatch(message);
  });

  it("a missing tools folder says how to fix it", async () => {
    await expect(loadRegistry({ toolsDir: "test/fixtures/no-such-dir" })).rejects.toThrow(
      /cannot read the tools folder; pass --tools DIR/,
    );
  });
});
