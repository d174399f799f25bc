/**
 * The shape of a sandbox world. Everything is keyed by name so a fixture
 * reads like an inventory, and derived numbers (free IPs, quota usage,
 * checksums) are computed, never stored, so they cannot drift.
 */

export interface Quotas {
  instances: number;
  databases: number;
  buckets: number;
}

export interface Region {
  quotas: Quotas;
}

export interface Network {
  region: string;
  cidr: string;
}

export interface Subnet {
  network: string;
  region: string;
  cidr: string;
  /** Usable host addresses. */
  totalIps: number;
  /** Addresses taken by things outside the sandbox's model. */
  reservedIps: number;
}

export interface Instance {
  region: string;
  subnet: string;
  size: string;
  ip: string;
  state: "running" | "stopped";
}

export interface Replica {
  name: string;
  region: string;
  lagSeconds: number;
}

export interface Database {
  engine: "postgres";
  version: string;
  region: string;
  subnet: string;
  sizeGb: number;
  ip: string;
  readOnly: boolean;
  deletionProtection: boolean;
  /** Row count per table. */
  tables: Record<string, number>;
  replicas: Replica[];
  /** Where the data came from, when it was restored. */
  restoredFrom?: string;
}

/** What a dump or snapshot holds: enough to rebuild a database's tables. */
export interface DataImage {
  database: string;
  engine: "postgres";
  version: string;
  tables: Record<string, number>;
}

export interface Snapshot extends DataImage {
  sizeGb: number;
  /** Logical clock tick when it was taken. */
  createdAt: number;
}

export interface StoredObject {
  size: number;
  checksum: string;
  contentType: string;
  /** Present when the object is a database dump, so restore can read it. */
  dump?: DataImage;
  content?: string;
}

export interface Bucket {
  region: string;
  /** Another account owns it: the name is taken and we may not touch it. */
  foreign?: boolean;
  objects: Record<string, StoredObject>;
}

export interface DnsRecord {
  name: string;
  type: "A" | "CNAME" | "TXT";
  value: string;
  ttl: number;
}

export interface DnsZone {
  /** Keyed by `<name> <type>`. */
  records: Record<string, DnsRecord>;
}

export interface SecretVersion {
  version: number;
  createdAt: number;
  leaked: boolean;
  revoked: boolean;
  /** A fingerprint of the value; the value itself never leaves the sandbox. */
  fingerprint: string;
}

export interface Secret {
  versions: SecretVersion[];
}

export interface AccessKey {
  id: string;
  status: "active" | "inactive";
}

export interface User {
  accessKeys: AccessKey[];
}

export interface Group {
  /** Sorted, so add/remove round trips compare equal. */
  members: string[];
}

export interface Slot {
  version: string;
  health: "healthy" | "unhealthy";
}

export interface Service {
  region: string;
  loadBalancer?: string;
  slots: Record<string, Slot>;
  /** Percent of traffic per slot; sums to 100. */
  traffic: Record<string, number>;
  /** Versions that come up unhealthy when deployed (a bad build). */
  brokenVersions?: string[];
}

export interface LoadBalancer {
  region: string;
  /** Instance names, sorted. */
  targets: string[];
}

export interface Flag {
  enabled: boolean;
  rollout: number;
}

export interface Chaos {
  seed: number;
  /** Probability in [0, 1] that a call fails with TRANSIENT before doing anything. */
  transientRate: number;
}

export interface CallEntry {
  seq: number;
  tool: string;
  args: unknown;
  idempotencyKey?: string;
  ok: boolean;
  /** The call returned a recorded output for an idempotency key that already succeeded. */
  replay?: boolean;
  error?: { code: string; message: string };
}

export interface World {
  version: 1;
  fixture: string;
  /** Logical clock: ticks once per applied write. Nothing reads the wall clock. */
  clock: number;
  chaos?: Chaos;
  regions: Record<string, Region>;
  networks: Record<string, Network>;
  subnets: Record<string, Subnet>;
  instances: Record<string, Instance>;
  databases: Record<string, Database>;
  snapshots: Record<string, Snapshot>;
  /** Dump files on the operator's scratch disk, keyed by path. */
  dumps: Record<string, DataImage & { bytes: number }>;
  buckets: Record<string, Bucket>;
  dnsZones: Record<string, DnsZone>;
  secrets: Record<string, Secret>;
  users: Record<string, User>;
  groups: Record<string, Group>;
  services: Record<string, Service>;
  loadBalancers: Record<string, LoadBalancer>;
  flags: Record<string, Flag>;
  calls: CallEntry[];
  /** Outputs of succeeded writes by `<tool> <idempotencyKey>`, replayed on a repeat. */
  idempotency: Record<string, { tool: string; output: unknown }>;
}
