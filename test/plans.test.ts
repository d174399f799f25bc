import { readdirSync } from "node:fs";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadRegistry } from "../src/registry/index.js";
import { run } from "../src/runner/index.js";
import { validatePlanFile } from "../src/validator/index.js";
import { readWorld, resetWorld } from "../tools/sandbox/world/index.js";

// The plans shipped in plans/ are documentation that executes: each must
// validate, and run to success on a fresh sandbox world from its fixture.
const FIXTURE: Record<string, string> = {
  "blue-green-checkout.yaml": "default",
  "rotate-leaked-credential.yaml": "leaked-credential",
  "migrate-orders.yaml": "default",
};
const shipped = readdirSync("plans").filter((f) => f.endsWith(".yaml"));

describe("plans/", () => {
  it("ships hand-written plans", () => {
    expect(shipped).toEqual(expect.arrayContaining(["blue-green-checkout.yaml", "rotate-leaked-credential.yaml"]));
  });

  it.each(shipped)("%s validates and runs to success on a fresh sandbox", async (file) => {
    const stateDir = mkdtempSync(join(tmpdir(), "planfile-plans-"));
    resetWorld(stateDir, FIXTURE[file] ?? "default");
    const registry = await loadRegistry({ toolsDir: "tools", stateDir });
    const validated = await validatePlanFile(`plans/${file}`, registry);
    if (!validated.ok)
      throw new Error(validated.problems.map((p) => `${p.file}:${p.line}:${p.col} ${p.message}`).join("\n"));
    const result = await run(validated.plan, {
      registry,
      runsDir: join(stateDir, "runs"),
      approve: "all",
      runId: "shipped",
    });
    expect(result.status).toBe("succeeded");
    expect(readWorld(stateDir).calls.filter((c) => !c.ok)).toEqual([]);
  });
});
