// Handlers of sandbox.dns.*: zones of records keyed by name and type.
import { mustFind } from "./world/lookup.js";
import { sandboxTool } from "./world/transaction.js";
import type { DnsRecord, World } from "./world/types.js";

type RecordId = { zone: string; name: string; type: DnsRecord["type"] };

function zoneOf(w: World, zone: string) {
  return mustFind(w.dnsZones, zone, "DNS zone", "sandbox.dns.list");
}

function recordOf(w: World, { zone, name, type }: RecordId): DnsRecord {
  return mustFind(
    zoneOf(w, zone).records,
    `${name} ${type}`,
    `DNS record (${type}) in zone ${zone}`,
    `sandbox.dns.list {zone: ${zone}}`,
  );
}

export const get = sandboxTool((w, id: RecordId) => ({ zone: id.zone, ...recordOf(w, id) }));

export const list = sandboxTool((w, { zone }: { zone?: string }) => {
  const zones = zone === undefined ? Object.keys(w.dnsZones).sort() : (zoneOf(w, zone), [zone]);
  const records = zones.flatMap((z) => Object.values(w.dnsZones[z]!.records).map((r) => ({ zone: z, ...r })));
  return {
    records: records.sort((a, b) => `${a.zone} ${a.name} ${a.type}`.localeCompare(`${b.zone} ${b.name} ${b.type}`)),
  };
});

export const upsert = sandboxTool((w, a: RecordId & { value: string; ttl?: number }) => {
  const records = zoneOf(w, a.zone).records;
  const key = `${a.name} ${a.type}`;
  const old = records[key];
  const record: DnsRecord = { name: a.name, type: a.type, value: a.value, ttl: a.ttl ?? old?.ttl ?? 300 };
  records[key] = record;
  return {
    zone: a.zone,
    ...record,
    previous: old ? { exists: true, value: old.value, ttl: old.ttl } : { exists: false, value: "", ttl: 0 },
  };
});

export const deleteRecord = sandboxTool((w, id: RecordId) => {
  const record = recordOf(w, id);
  delete w.dnsZones[id.zone]!.records[`${id.name} ${id.type}`];
  return { zone: id.zone, ...record, deleted: true };
});

/** Puts a record back the way upsert found it: the compensation of upsert. */
export const restore = sandboxTool((w, a: RecordId & { previous: { exists: boolean; value: string; ttl: number } }) => {
  const records = zoneOf(w, a.zone).records;
  const key = `${a.name} ${a.type}`;
  if (a.previous.exists) records[key] = { name: a.name, type: a.type, value: a.previous.value, ttl: a.previous.ttl };
  else delete records[key];
  return { zone: a.zone, name: a.name, type: a.type, exists: a.previous.exists };
});
