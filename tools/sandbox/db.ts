// Handlers of sandbox.db.*: PostgreSQL-like databases, their snapshots and dumps.
import { ToolError } from "../../src/registry/tool-error.js";
import { allocateIp, freeIps, quotaUsage, tablesChecksum, totalRows } from "./world/derived.js";
import { mustFind, mustNotExist, precondition } from "./world/lookup.js";
import { sandboxTool } from "./world/transaction.js";
import type { Database, World } from "./world/types.js";

const LIST = "sandbox.db.list";

export function describeDatabase(world: World, name: string) {
  const db = mustFind(world.databases, name, "database", LIST);
  return {
    name,
    engine: db.engine,
    version: db.version,
    region: db.region,
    subnet: db.subnet,
    sizeGb: db.sizeGb,
    endpoint: endpointOf(name, db),
    ip: db.ip,
    port: 5432,
    readOnly: db.readOnly,
    deletionProtection: db.deletionProtection,
    tables: { ...db.tables },
    totalRows: totalRows(db.tables),
    checksum: tablesChecksum(db.tables),
    replicas: db.replicas.map((r) => ({ ...r })),
    maxReplicaLagSeconds: Math.max(0, ...db.replicas.map((r) => r.lagSeconds)),
    ...(db.restoredFrom !== undefined ? { restoredFrom: db.restoredFrom } : {}),
  };
}

function endpointOf(name: string, db: Database): string {
  return `${name}.${db.region}.db.sandbox.internal`;
}

export const describe = sandboxTool((w, { name }: { name: string }) => describeDatabase(w, name));

export const list = sandboxTool((w, { region }: { region?: string }) => ({
  databases: Object.keys(w.databases)
    .sort()
    .filter((n) => region === undefined || w.databases[n]!.region === region)
    .map((n) => {
      const d = w.databases[n]!;
      return {
        name: n,
        engine: d.engine,
        version: d.version,
        region: d.region,
        sizeGb: d.sizeGb,
        readOnly: d.readOnly,
      };
    }),
}));

interface CreateArgs {
  name: string;
  subnet: string;
  version?: string;
  sizeGb?: number;
}

function placeDatabase(
  w: World,
  a: CreateArgs,
  tables: Record<string, number>,
  version: string,
  restoredFrom?: string,
) {
  mustNotExist(w.databases, a.name, "database", "pick another name or call sandbox.db.describe to inspect it");
  const subnet = mustFind(w.subnets, a.subnet, "subnet", "sandbox.network.listSubnets");
  const usage = quotaUsage(w, subnet.region).databases;
  if (usage.used >= usage.limit) {
    throw new ToolError(
      "QUOTA_EXCEEDED",
      `region ${subnet.region} allows ${usage.limit} databases and has ${usage.used}; delete one or use another region (sandbox.quota.describe shows usage)`,
    );
  }
  if (freeIps(w, a.subnet) === 0) {
    throw new ToolError(
      "CAPACITY_EXHAUSTED",
      `subnet ${a.subnet} has no free IP addresses; call sandbox.network.listSubnets {region: ${subnet.region}} and pick a subnet with freeIps > 0`,
    );
  }
  const db: Database = {
    engine: "postgres",
    version,
    region: subnet.region,
    subnet: a.subnet,
    sizeGb: a.sizeGb ?? 20,
    ip: allocateIp(w, a.subnet),
    readOnly: false,
    deletionProtection: false,
    tables,
    replicas: [],
  };
  if (restoredFrom) db.restoredFrom = restoredFrom;
  w.databases[a.name] = db;
  return describeDatabase(w, a.name);
}

export const create = sandboxTool((w, a: CreateArgs) => placeDatabase(w, a, {}, a.version ?? "15.4"));

export const deleteDatabase = sandboxTool((w, { name }: { name: string }) => {
  const db = mustFind(w.databases, name, "database", LIST);
  precondition(
    !db.deletionProtection,
    `database ${name} has deletion protection; turn it off first (it guards production data) or keep the database`,
  );
  precondition(
    db.replicas.length === 0,
    `database ${name} still has replicas (${db.replicas.map((r) => r.name).join(", ")}); remove them first`,
  );
  delete w.databases[name];
  return { name, deleted: true };
});

export const setReadOnly = sandboxTool((w, { name, readOnly }: { name: string; readOnly: boolean }) => {
  const db = mustFind(w.databases, name, "database", LIST);
  const previous = db.readOnly;
  db.readOnly = readOnly;
  return { name, readOnly, previous };
});

export const snapshot = sandboxTool((w, { name, snapshot }: { name: string; snapshot: string }, tick) => {
  const db = mustFind(w.databases, name, "database", LIST);
  mustNotExist(w.snapshots, snapshot, "snapshot", "snapshot names are unique; pick another");
  w.snapshots[snapshot] = {
    database: name,
    engine: db.engine,
    version: db.version,
    tables: { ...db.tables },
    sizeGb: db.sizeGb,
    createdAt: tick.clock,
  };
  return {
    snapshot,
    database: name,
    createdAt: tick.clock,
    totalRows: totalRows(db.tables),
    checksum: tablesChecksum(db.tables),
  };
});

export const listSnapshots = sandboxTool((w, { database }: { database?: string }) => ({
  snapshots: Object.keys(w.snapshots)
    .sort()
    .filter((s) => database === undefined || w.snapshots[s]!.database === database)
    .map((s) => {
      const snap = w.snapshots[s]!;
      return {
        snapshot: s,
        database: snap.database,
        version: snap.version,
        createdAt: snap.createdAt,
        totalRows: totalRows(snap.tables),
        checksum: tablesChecksum(snap.tables),
      };
    }),
}));

export const deleteSnapshot = sandboxTool((w, { snapshot }: { snapshot: string }) => {
  mustFind(w.snapshots, snapshot, "snapshot", "sandbox.db.listSnapshots");
  delete w.snapshots[snapshot];
  return { snapshot, deleted: true };
});

export const restoreSnapshot = sandboxTool(
  (w, a: { snapshot: string; name: string; subnet: string; sizeGb?: number }) => {
    const snap = mustFind(w.snapshots, a.snapshot, "snapshot", "sandbox.db.listSnapshots");
    return placeDatabase(
      w,
      { ...a, sizeGb: a.sizeGb ?? snap.sizeGb },
      { ...snap.tables },
      snap.version,
      `snapshot:${a.snapshot}`,
    );
  },
);
