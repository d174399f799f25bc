// Tools fail the way real clouds do: a stable code and a message that says what to do next.
import { describe, expect, it } from "vitest";
import { readWorld, resetWorld } from "../../tools/sandbox/world/index.js";
import { sandboxRegistry, tempStateDir } from "./helpers.js";

const stateDir = tempStateDir();
const registry = await sandboxRegistry(stateDir);

const cases: { area: string; fixture: string; tool: string; args: object; code: string; hint: RegExp }[] = [
  {
    area: "network",
    fixture: "default",
    tool: "sandbox.network.describeSubnet",
    args: { name: "nope" },
    code: "NOT_FOUND",
    hint: /sandbox\.network\.listSubnets/,
  },
  {
    area: "db",
    fixture: "exhausted-subnet",
    tool: "sandbox.db.create",
    args: { name: "orders-eu", subnet: "euw1-data-a" },
    code: "CAPACITY_EXHAUSTED",
    hint: /pick a subnet with freeIps > 0/,
  },
  {
    area: "db",
    fixture: "quota-nearly-full",
    tool: "sandbox.storage.createBucket",
    args: { name: "eu-dumps", region: "eu-west-1" },
    code: "QUOTA_EXCEEDED",
    hint: /reuse an existing bucket/,
  },
  {
    area: "db",
    fixture: "default",
    tool: "sandbox.db.create",
    args: { name: "orders", subnet: "euw1-data-b" },
    code: "ALREADY_EXISTS",
    hint: /pick another name/,
  },
  {
    area: "db",
    fixture: "default",
    tool: "sandbox.db.delete",
    args: { name: "orders" },
    code: "PRECONDITION_FAILED",
    hint: /deletion protection/,
  },
  {
    area: "db",
    fixture: "dump-ready",
    tool: "sandbox.db.restore",
    args: { name: "inventory", bucket: "migrations", key: "orders/orders.dump" },
    code: "PRECONDITION_FAILED",
    hint: /restore into a new, empty database/,
  },
  {
    area: "storage",
    fixture: "bucket-exists",
    tool: "sandbox.storage.createBucket",
    args: { name: "orders-migration", region: "eu-west-1" },
    code: "ALREADY_EXISTS",
    hint: /another account/,
  },
  {
    area: "storage",
    fixture: "bucket-exists",
    tool: "sandbox.storage.put",
    args: { bucket: "orders-migration", key: "k", content: "x" },
    code: "PERMISSION_DENIED",
    hint: /create one with another name/,
  },
  {
    area: "storage",
    fixture: "bucket-exists",
    tool: "sandbox.storage.put",
    args: { bucket: "migrations", key: "orders/orders.dump", content: "x" },
    code: "ALREADY_EXISTS",
    hint: /overwrite: true/,
  },
  {
    area: "storage",
    fixture: "dump-ready",
    tool: "sandbox.storage.deleteBucket",
    args: { name: "migrations" },
    code: "PRECONDITION_FAILED",
    hint: /sandbox\.storage\.delete first/,
  },
  {
    area: "compute",
    fixture: "default",
    tool: "sandbox.compute.delete",
    args: { name: "web-1" },
    code: "PRECONDITION_FAILED",
    hint: /sandbox\.lb\.removeTarget/,
  },
  {
    area: "compute",
    fixture: "exhausted-subnet",
    tool: "sandbox.compute.create",
    args: { name: "a", subnet: "euw1-data-a", size: "t3.small" },
    code: "CAPACITY_EXHAUSTED",
    hint: /listSubnets/,
  },
  {
    area: "dns",
    fixture: "default",
    tool: "sandbox.dns.get",
    args: { zone: "internal", name: "nope.internal", type: "A" },
    code: "NOT_FOUND",
    hint: /sandbox\.dns\.list/,
  },
  {
    area: "secrets",
    fixture: "leaked-credential",
    tool: "sandbox.secrets.revoke",
    args: { name: "orders-db-password", version: 1 },
    code: "PRECONDITION_FAILED",
    hint: /sandbox\.secrets\.rotate first/,
  },
  {
    area: "iam",
    fixture: "default",
    tool: "sandbox.iam.deleteUser",
    args: { name: "alice" },
    code: "PRECONDITION_FAILED",
    hint: /removeFromGroup first/,
  },
  {
    area: "iam",
    fixture: "leaked-credential",
    tool: "sandbox.iam.createAccessKey",
    args: { user: "alice" },
    code: "QUOTA_EXCEEDED",
    hint: /deleteAccessKey first/,
  },
  {
    area: "service",
    fixture: "default",
    tool: "sandbox.service.deploy",
    args: { name: "checkout", slot: "blue", version: "2.0.0" },
    code: "CONFLICT",
    hint: /deploy to an idle slot/,
  },
  {
    area: "service",
    fixture: "default",
    tool: "sandbox.service.setTraffic",
    args: { name: "checkout", weights: { blue: 50, green: 40 } },
    code: "PRECONDITION_FAILED",
    hint: /sum to 100/,
  },
  {
    area: "lb",
    fixture: "decommission",
    tool: "sandbox.lb.removeTarget",
    args: { name: "web-lb", instance: "reports-1" },
    code: "NOT_FOUND",
    hint: /sandbox\.lb\.describe/,
  },
  {
    area: "flags",
    fixture: "default",
    tool: "sandbox.flags.set",
    args: { name: "nope", enabled: true },
    code: "NOT_FOUND",
    hint: /sandbox\.flags\.list/,
  },
];

describe("precondition errors", () => {
  it.each(cases)("$area: $tool in $fixture fails with $code", async ({ fixture, tool, args, code, hint }) => {
    resetWorld(stateDir, fixture);
    const error = await registry.call(tool, args).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: "TOOL_FAILED", details: { toolCode: code } });
    expect((error as Error).message).toMatch(hint);
    expect((error as { transient: boolean }).transient).toBe(false);
  });

  it("a deploy of a known-bad build comes up unhealthy, and traffic to it is refused", async () => {
    resetWorld(stateDir);
    expect(
      await registry.call("sandbox.service.deploy", { name: "checkout", slot: "green", version: "1.9.0-rc1" }),
    ).toMatchObject({ health: "unhealthy" });
    await expect(
      registry.call("sandbox.service.setTraffic", { name: "checkout", weights: { blue: 50, green: 50 } }),
    ).rejects.toMatchObject({ details: { toolCode: "PRECONDITION_FAILED" } });
  });
});

describe("seed scenario: migrate orders from us-east-1 to eu-west-1", () => {
  it("chains describe → subnet → create → dump → put → restore → verify → read-only → DNS cutover", async () => {
    resetWorld(stateDir, "exhausted-subnet");
    const source = (await registry.call("sandbox.db.describe", { name: "orders" })) as {
      version: string;
      sizeGb: number;
      endpoint: string;
    };
    const { subnets } = (await registry.call("sandbox.network.listSubnets", {
      region: "eu-west-1",
      minFreeIps: 1,
    })) as { subnets: { name: string }[] };
    const subnet = subnets.find((s) => s.name.includes("data"))!.name;
    expect(subnet).toBe("euw1-data-b");
    const target = (await registry.call("sandbox.db.create", {
      name: "orders-eu",
      subnet,
      version: source.version,
      sizeGb: source.sizeGb,
    })) as { name: string; endpoint: string };
    await registry.call("sandbox.db.setReadOnly", { name: "orders", readOnly: true });
    const dump = (await registry.call("sandbox.db.dump", { name: "orders" })) as { path: string; consistent: boolean };
    expect(dump.consistent).toBe(true);
    const object = (await registry.call("sandbox.storage.put", {
      bucket: "migrations",
      key: "orders/orders.dump",
      source: dump.path,
    })) as { bucket: string; key: string };
    await registry.call("sandbox.db.restore", { name: target.name, bucket: object.bucket, key: object.key });
    expect(await registry.call("sandbox.db.verify", { source: "orders", target: target.name })).toMatchObject({
      match: true,
      mismatches: [],
    });
    const dns = await registry.call("sandbox.dns.upsert", {
      zone: "internal",
      name: "orders-db.internal",
      type: "CNAME",
      value: target.endpoint,
      ttl: 60,
    });
    expect(dns).toMatchObject({ previous: { exists: true, value: source.endpoint } });
    expect(readWorld(stateDir).dnsZones.internal!.records["orders-db.internal CNAME"]!.value).toBe(
      "orders-eu.eu-west-1.db.sandbox.internal",
    );
  });
});
