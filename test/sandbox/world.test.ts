// The world library: fixtures, persistence, call log, idempotency replay, dry run and chaos.
import { mkdtempSync, writeFileSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  callsOf,
  listFixtures,
  readWorld,
  resetWorld,
  worldFromFixture,
  worldPath,
  worldWithoutCallLog,
} from "../../tools/sandbox/world/index.js";
import { draw } from "../../tools/sandbox/world/chaos.js";
import { sandboxRegistry, tempStateDir } from "./helpers.js";

const stateDir = tempStateDir();
const registry = await sandboxRegistry(stateDir);

describe("fixtures", () => {
  it("lists the scenario fixtures and every one loads and validates", () => {
    const names = listFixtures();
    for (const required of [
      "default",
      "exhausted-subnet",
      "bucket-exists",
      "leaked-credential",
      "replica-lag",
      "quota-nearly-full",
    ])
      expect(names).toContain(required);
    for (const name of names) expect(worldFromFixture(name).fixture).toBe(name);
  });

  it("exhausted-subnet leaves the first eu-west-1 data subnet full and another with capacity", async () => {
    resetWorld(stateDir, "exhausted-subnet");
    const { subnets } = (await registry.call("sandbox.network.listSubnets", { region: "eu-west-1" })) as {
      subnets: { name: string; freeIps: number }[];
    };
    expect(subnets[0]).toMatchObject({ name: "euw1-data-a", freeIps: 0 });
    expect(subnets.some((s) => s.freeIps > 0)).toBe(true);
  });

  it("names the broken file and the field when a fixture is invalid", () => {
    const dir = mkdtempSync(join(tmpdir(), "planfile-fixtures-"));
    writeFileSync(
      join(dir, "broken.yaml"),
      "regions:\n  us-east-1: {quotas: {instances: -1, databases: 1, buckets: 1}}\n",
    );
    expect(() => worldFromFixture("broken", dir)).toThrow(
      /broken\.yaml: not a valid sandbox world: \/regions\/us-east-1\/quotas\/instances must be >= 0/,
    );
  });

  it("names dangling references in a fixture", () => {
    const dir = mkdtempSync(join(tmpdir(), "planfile-fixtures-"));
    writeFileSync(join(dir, "dangling.yaml"), "groups:\n  admins: {members: [nobody]}\n");
    expect(() => worldFromFixture("dangling", dir)).toThrow(/dangling\.yaml: group admins: unknown member nobody/);
  });

  it("rejects an unknown fixture with the list of known ones", () => {
    expect(() => resetWorld(stateDir, "nope")).toThrow(/FIXTURE_NOT_FOUND.*available: .*default/);
  });
});

describe("world file", () => {
  it("is created from the default fixture on first use", async () => {
    const fresh = tempStateDir();
    const r = await sandboxRegistry(fresh);
    await r.call("sandbox.db.describe", { name: "orders" });
    expect(readWorld(fresh).fixture).toBe("default");
  });

  it("logs every call, reads included, with failures and their codes", async () => {
    resetWorld(stateDir);
    await registry.call("sandbox.db.describe", { name: "orders" });
    await expect(registry.call("sandbox.db.describe", { name: "missing" })).rejects.toMatchObject({
      details: { toolCode: "NOT_FOUND" },
    });
    const calls = readWorld(stateDir).calls;
    expect(calls.map((c) => [c.seq, c.tool, c.ok, c.error?.code])).toEqual([
      [1, "sandbox.db.describe", true, undefined],
      [2, "sandbox.db.describe", false, "NOT_FOUND"],
    ]);
  });

  it("sees a world another process wrote", async () => {
    resetWorld(stateDir);
    const other = resetWorld(mkdtempSync(join(tmpdir(), "planfile-other-")), "exhausted-subnet");
    writeFileSync(worldPath(stateDir), JSON.stringify(other));
    utimesSync(worldPath(stateDir), 1, 1);
    const subnet = (await registry.call("sandbox.network.describeSubnet", { name: "euw1-data-a" })) as {
      freeIps: number;
    };
    expect(subnet.freeIps).toBe(0);
  });

  it("reports a corrupt world file with the command that fixes it", async () => {
    resetWorld(stateDir);
    writeFileSync(worldPath(stateDir), "{not json");
    await expect(registry.call("sandbox.db.list", {})).rejects.toThrow(/tsx src\/sandbox\.ts reset/);
    resetWorld(stateDir);
  });
});

describe("idempotency keys", () => {
  it("replay the recorded output of a write without applying it again", async () => {
    resetWorld(stateDir);
    const first = await registry.call("sandbox.db.dump", { name: "orders" }, { idempotencyKey: "run1:dump" });
    const again = await registry.call("sandbox.db.dump", { name: "orders" }, { idempotencyKey: "run1:dump" });
    const world = readWorld(stateDir);
    expect(again).toEqual(first);
    expect(Object.keys(world.dumps)).toHaveLength(1);
    expect(callsOf(world, "sandbox.db.dump").map((c) => c.replay ?? false)).toEqual([false, true]);
  });

  it("do not replay across different tools or keys", async () => {
    resetWorld(stateDir);
    await registry.call("sandbox.db.dump", { name: "orders" }, { idempotencyKey: "k1" });
    await registry.call("sandbox.db.dump", { name: "orders" }, { idempotencyKey: "k2" });
    expect(Object.keys(readWorld(stateDir).dumps)).toHaveLength(2);
  });

  it("survive a fresh process: the record is in the file", async () => {
    resetWorld(stateDir);
    await registry.call("sandbox.iam.createUser", { name: "carol" }, { idempotencyKey: "r:u" });
    expect(readWorld(stateDir).idempotency["sandbox.iam.createUser r:u"]).toEqual({
      tool: "sandbox.iam.createUser",
      output: { name: "carol" },
    });
  });
});

describe("dry run", () => {
  it("fails with the same error as a real call and changes nothing", async () => {
    resetWorld(stateDir, "exhausted-subnet");
    const before = readWorld(stateDir);
    await expect(
      registry.call("sandbox.db.create", { name: "orders-eu", subnet: "euw1-data-a" }, { dryRun: true }),
    ).rejects.toMatchObject({ details: { toolCode: "CAPACITY_EXHAUSTED" } });
    const out = await registry.call(
      "sandbox.db.create",
      { name: "orders-eu", subnet: "euw1-data-b" },
      { dryRun: true },
    );
    expect(out).toMatchObject({ name: "orders-eu", region: "eu-west-1" });
    expect(readWorld(stateDir)).toEqual(before);
  });
});

describe("chaos", () => {
  async function outcomes(seed: number): Promise<string[]> {
    resetWorld(stateDir, "default", { chaos: { seed, transientRate: 0.3 } });
    const results: string[] = [];
    for (let i = 0; i < 40; i++) {
      try {
        await registry.call("sandbox.flags.set", { name: "eu-orders-routing", enabled: i % 2 === 0 });
        results.push("ok");
      } catch (error) {
        expect(error).toMatchObject({ transient: true, details: { toolCode: "TRANSIENT" } });
        results.push("transient");
      }
    }
    return results;
  }

  it("fails the same calls for the same seed, and some but not all", async () => {
    const a = await outcomes(7);
    expect(await outcomes(7)).toEqual(a);
    expect(a).toContain("ok");
    expect(a).toContain("transient");
    expect(await outcomes(8)).not.toEqual(a);
  });

  it("leaves the world untouched by a transient failure", async () => {
    resetWorld(stateDir, "default", { chaos: { seed: 1, transientRate: 1 } });
    const before = worldWithoutCallLog(readWorld(stateDir));
    await expect(registry.call("sandbox.db.create", { name: "x", subnet: "euw1-data-b" })).rejects.toMatchObject({
      transient: true,
    });
    expect(worldWithoutCallLog(readWorld(stateDir))).toEqual(before);
  });

  it("draws uniformly enough that the rate means what it says", () => {
    const hits = Array.from({ length: 10_000 }, (_, i) => draw(42, i + 1) < 0.1).filter(Boolean).length;
    expect(hits).toBeGreaterThan(850);
    expect(hits).toBeLessThan(1150);
  });
});
