import { ToolError } from "../../../src/registry/tool-error.js";
/**
 * Numbers computed from the world rather than stored: free IPs, addresses,
 * quota usage, data checksums. Keeping them derived means a create followed
 * by its compensating delete leaves exactly the world it found.
 */
import { createHash } from "node:crypto";
import type { Quotas, World } from "./types.js";

/** Instances and databases that hold an address in the subnet. */
export function subnetTenants(world: World, subnet: string): string[] {
  const ips: string[] = [];
  for (const i of Object.values(world.instances)) if (i.subnet === subnet) ips.push(i.ip);
  for (const d of Object.values(world.databases)) if (d.subnet === subnet) ips.push(d.ip);
  return ips;
}

export function freeIps(world: World, subnet: string): number {
  const s = world.subnets[subnet]!;
  return Math.max(0, s.totalIps - s.reservedIps - subnetTenants(world, subnet).length);
}

/** The lowest free host address after the reserved ones, so delete-then-create gets the same IP back. */
/** The first free address of `subnet`, or exactly `requested` (a recreated instance gets its old address back). */
export function allocateIp(world: World, subnet: string, requested?: string): string {
  const s = world.subnets[subnet]!;
  const taken = new Set(subnetTenants(world, subnet));
  const base = s.cidr.split("/")[0]!.split(".").map(Number);
  for (let host = s.reservedIps + 1; host <= s.totalIps; host++) {
    const ip = addressAt(base, host);
    if (requested !== undefined && ip !== requested) continue;
    if (!taken.has(ip)) return ip;
    if (requested !== undefined)
      throw new ToolError("CONFLICT", `address ${ip} in subnet ${subnet} is already in use; omit ip to get a free one`);
  }
  if (requested !== undefined)
    throw new ToolError(
      "PRECONDITION_FAILED",
      `address ${requested} is not a usable host of subnet ${subnet} (${s.cidr})`,
    );
  throw new Error(`subnet ${subnet} has no free address; call freeIps first`);
}

function addressAt(base: number[], host: number): string {
  const n = (((base[0]! << 24) >>> 0) + (base[1]! << 16) + (base[2]! << 8) + base[3]! + host) >>> 0;
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}

export type QuotaUsage = { [K in keyof Quotas]: { limit: number; used: number } };

export function quotaUsage(world: World, region: string): QuotaUsage {
  const q = world.regions[region]!.quotas;
  const inRegion = (r: Record<string, { region: string; foreign?: boolean }>) =>
    Object.values(r).filter((x) => x.region === region && !x.foreign).length;
  return {
    instances: { limit: q.instances, used: inRegion(world.instances) },
    databases: { limit: q.databases, used: inRegion(world.databases) },
    buckets: { limit: q.buckets, used: inRegion(world.buckets) },
  };
}

/** A stable fingerprint of table contents: equal row counts per table give equal checksums. */
export function tablesChecksum(tables: Record<string, number>): string {
  const canonical = Object.keys(tables)
    .sort()
    .map((t) => `${t}=${tables[t]}`)
    .join(",");
  return `sha256:${createHash("sha256").update(canonical).digest("hex").slice(0, 16)}`;
}

export function totalRows(tables: Record<string, number>): number {
  return Object.values(tables).reduce((a, b) => a + b, 0);
}

/** Dump size: a deterministic stand-in for real bytes. */
export function dumpBytes(tables: Record<string, number>): number {
  return 4096 + totalRows(tables) * 128;
}
