// Every registered sandbox tool keeps the promises its manifest makes: schemas, dry run, verify, compensation.
import { readFileSync, statSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { checkExpect } from "../../src/expect/index.js";
import { readWorld, resetWorld, worldPath, worldWithoutCallLog } from "../../tools/sandbox/world/index.js";
import { resolveTemplate, sandboxRegistry, tempStateDir } from "./helpers.js";

const stateDir = tempStateDir();
const registry = await sandboxRegistry(stateDir);
const tools = registry.list().filter((t) => t.name.startsWith("sandbox."));

describe("sandbox tool conformance", () => {
  it("registers at least 30 sandbox tools, each with an example", () => {
    expect(tools.length).toBeGreaterThanOrEqual(30);
    expect(tools.filter((t) => !t.manifest.examples?.length).map((t) => t.name)).toEqual([]);
  });

  it("declares object output schemas that forbid unknown fields", () => {
    for (const t of tools) {
      expect(t.outputSchema, t.name).toMatchObject({ type: "object", additionalProperties: false });
      expect(t.inputSchema, t.name).toMatchObject({ type: "object", additionalProperties: false });
    }
  });

  const cases = tools.flatMap((t) =>
    (t.manifest.examples ?? []).map((example, i) => ({
      tool: t,
      example,
      label: `${t.name} #${i + 1} (${example.fixture ?? "default"})`,
    })),
  );

  it.each(cases)("$label", async ({ tool, example }) => {
    resetWorld(stateDir, example.fixture ?? "default");
    const before = readWorld(stateDir);
    const file = worldPath(stateDir);

    if (tool.effect !== "read") {
      const stat = statSync(file);
      const bytes = readFileSync(file, "utf8");
      await registry.call(tool.name, example.args, { dryRun: true });
      expect(readWorld(stateDir), "a dry run changes nothing, not even the call log").toEqual(before);
      expect(readFileSync(file, "utf8")).toBe(bytes);
      expect(statSync(file).ino).toBe(stat.ino);
    }

    const output = await registry.call(tool.name, example.args, { idempotencyKey: "conformance" });
    const after = readWorld(stateDir);
    expect(after.calls.at(-1)).toMatchObject({ tool: tool.name, ok: true });
    if (tool.effect === "read")
      expect(worldWithoutCallLog(after), "a read changes nothing but the call log").toEqual(
        worldWithoutCallLog(before),
      );
    else expect(worldWithoutCallLog(after), "a write changes the world").not.toEqual(worldWithoutCallLog(before));

    const verify = tool.manifest.verify;
    if (verify) {
      const verifyOutput = await registry.call(verify.tool, resolveTemplate(verify.args, { args: example.args }));
      expect(registry.get(verify.tool)!.effect).toBe("read");
      expect(checkExpect(verify.expect, { outputs: verifyOutput, args: example.args })).toEqual({ ok: true });
    }

    if (tool.compensation) {
      await registry.call(
        tool.compensation.tool,
        resolveTemplate(tool.compensation.args, { args: example.args, outputs: output }),
      );
      expect(worldWithoutCallLog(readWorld(stateDir)), "compensation restores the world").toEqual(
        worldWithoutCallLog(before),
      );
    }
  });
});
