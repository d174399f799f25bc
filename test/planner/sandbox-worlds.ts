/** One sandbox world per fixture in a temp dir, for tests that only plan (planning never writes). */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadRegistry, type Registry } from "../../src/index.js";
import { resetWorld } from "../../tools/sandbox/world/index.js";

export function sandboxWorlds() {
  const root = mkdtempSync(join(tmpdir(), "planfile-worlds-"));
  const registries = new Map<string, Promise<Registry>>();
  return {
    /** The registry of a fresh world made from `fixture`, shared by every caller asking for it. */
    registry(fixture = "default"): Promise<Registry> {
      let r = registries.get(fixture);
      if (!r) {
        const stateDir = join(root, fixture);
        resetWorld(stateDir, fixture);
        r = loadRegistry({ toolsDir: "tools", stateDir });
        registries.set(fixture, r);
      }
      return r;
    },
    async close(): Promise<void> {
      for (const r of registries.values()) await (await r).close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
