// Handlers of the sandbox.db.* tools that move data: dump, restore, truncate, verify.
import { ToolError } from "../../src/registry/tool-error.js";
import { dumpBytes, tablesChecksum, totalRows } from "./world/derived.js";
import { mustFind, precondition } from "./world/lookup.js";
import { sandboxTool } from "./world/transaction.js";

const LIST = "sandbox.db.list";

export const dump = sandboxTool((w, { name }: { name: string }, tick) => {
  const db = mustFind(w.databases, name, "database", LIST);
  // The clock tick keeps paths unique, so a second dump never overwrites the first.
  const path = `/dumps/${name}-${tick.clock}.dump`;
  const bytes = dumpBytes(db.tables);
  w.dumps[path] = { database: name, engine: db.engine, version: db.version, tables: { ...db.tables }, bytes };
  return {
    path,
    database: name,
    bytes,
    totalRows: totalRows(db.tables),
    checksum: tablesChecksum(db.tables),
    consistent: db.readOnly,
  };
});

export const deleteDump = sandboxTool((w, { path }: { path: string }) => {
  mustFind(w.dumps, path, "dump file", "sandbox.db.dump (it prints the path)");
  delete w.dumps[path];
  return { path, deleted: true };
});

export const restore = sandboxTool((w, { name, bucket, key }: { name: string; bucket: string; key: string }) => {
  const db = mustFind(w.databases, name, "database", LIST);
  const b = mustFind(w.buckets, bucket, "bucket", "sandbox.storage.listBuckets");
  if (b.foreign)
    throw new ToolError("PERMISSION_DENIED", `bucket ${bucket} belongs to another account; use a bucket of ours`);
  const object = mustFind(b.objects, key, `object in ${bucket}`, `sandbox.storage.list {bucket: ${bucket}}`);
  precondition(
    object.dump !== undefined,
    `${bucket}/${key} is not a database dump; upload one with sandbox.storage.put {source: <dump path>}`,
  );
  precondition(
    Object.keys(db.tables).length === 0,
    `database ${name} already holds tables; restore into a new, empty database or call sandbox.db.truncate first`,
  );
  precondition(!db.readOnly, `database ${name} is read-only; call sandbox.db.setReadOnly {readOnly: false} first`);
  const from = object.dump!;
  precondition(
    major(db.version) >= major(from.version),
    `dump of ${from.database} is PostgreSQL ${from.version}; target ${name} runs ${db.version}, which cannot load it; create the target with version >= ${major(from.version)}`,
  );
  db.tables = { ...from.tables };
  db.restoredFrom = `${bucket}/${key}`;
  return {
    name,
    restoredFrom: db.restoredFrom,
    tables: { ...db.tables },
    totalRows: totalRows(db.tables),
    checksum: tablesChecksum(db.tables),
  };
});

export const truncate = sandboxTool((w, { name }: { name: string }) => {
  const db = mustFind(w.databases, name, "database", LIST);
  precondition(!db.deletionProtection, `database ${name} has deletion protection; refusing to drop its tables`);
  const dropped = Object.keys(db.tables).sort();
  db.tables = {};
  delete db.restoredFrom;
  return { name, droppedTables: dropped };
});

export const verify = sandboxTool((w, { source, target }: { source: string; target: string }) => {
  const s = mustFind(w.databases, source, "database", LIST);
  const t = mustFind(w.databases, target, "database", LIST);
  const names = [...new Set([...Object.keys(s.tables), ...Object.keys(t.tables)])].sort();
  const mismatches = names
    .filter((n) => s.tables[n] !== t.tables[n])
    .map((n) => ({ table: n, sourceRows: s.tables[n] ?? -1, targetRows: t.tables[n] ?? -1 }));
  return {
    match: mismatches.length === 0,
    sourceChecksum: tablesChecksum(s.tables),
    targetChecksum: tablesChecksum(t.tables),
    sourceRows: totalRows(s.tables),
    targetRows: totalRows(t.tables),
    mismatches,
  };
});

function major(version: string): number {
  return Number.parseInt(version, 10);
}
