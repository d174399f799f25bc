import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { plan } from "../../src/planner/plan.js";
import { loadMethods } from "../../src/planner/offline/methods.js";
import { keepTimestamp } from "../../src/planner/stable.js";
import { sandboxWorlds } from "./sandbox-worlds.js";

const GOAL = "Migrate the orders database from us-east-1 to eu-west-1";
const worlds = sandboxWorlds();
const dir = mkdtempSync(join(tmpdir(), "planfile-stable-"));
afterAll(async () => {
  await worlds.close();
  rmSync(dir, { recursive: true, force: true });
});

async function planAt(iso: string, fixture = "default") {
  const result = await plan(GOAL, {
    registry: await worlds.registry(fixture),
    methods: await loadMethods("tools"),
    now: () => new Date(iso),
  });
  if (!result.ok) throw new Error(result.message);
  return result;
}

describe("re-planning an unchanged goal on an unchanged world", () => {
  it("keeps the earlier timestamp, so the file and its digest stay byte-identical", async () => {
    const first = await planAt("2026-01-01T00:00:00.000Z");
    const again = keepTimestamp(await planAt("2026-06-01T12:00:00.000Z"), first.yaml);
    expect(again.yaml).toBe(first.yaml);
    expect(again.digest).toBe(first.digest);
  });

  it("takes the new timestamp when the plan changed", async () => {
    const first = await planAt("2026-01-01T00:00:00.000Z");
    const changed = keepTimestamp(await planAt("2026-06-01T12:00:00.000Z", "exhausted-subnet"), first.yaml);
    expect(changed.plan.metadata.createdAt).toBe("2026-06-01T12:00:00.000Z");
    expect(changed.digest).not.toBe(first.digest);
  });

  it("ignores a previous file that is not a plan", async () => {
    const fresh = await planAt("2026-06-01T12:00:00.000Z");
    expect(keepTimestamp(fresh, "not: [a plan").yaml).toBe(fresh.yaml);
  });

  it("tsx src/plan.ts -o twice writes the same bytes", { timeout: 120_000 }, async () => {
    const out = join(dir, "migrate.yaml");
    const args = ["tsx", "src/plan.ts", "--offline", "--state-dir", join(dir, "state"), GOAL, "-o", out];
    await promisify(execFile)("npx", args);
    const first = readFileSync(out, "utf8");
    await promisify(execFile)("npx", args);
    expect(readFileSync(out, "utf8")).toBe(first);
  });
});
