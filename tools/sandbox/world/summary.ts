/** A readable, line-per-thing summary of a world, for `tsx src/sandbox.ts show`. */
import { freeIps, quotaUsage, totalRows } from "./derived.js";
import type { World } from "./types.js";

export function summarizeWorld(w: World): string {
  const out: string[] = [];
  const section = (title: string, lines: string[]) => {
    if (lines.length === 0) return;
    out.push(`${title}:`, ...lines.map((l) => `  ${l}`));
  };
  const ok = w.calls.filter((c) => c.ok).length;
  out.push(
    `fixture ${w.fixture}  clock ${w.clock}  calls ${w.calls.length} (${w.calls.length - ok} failed)${w.chaos ? `  chaos seed ${w.chaos.seed} rate ${w.chaos.transientRate}` : ""}`,
  );
  section(
    "regions",
    Object.keys(w.regions).map((r) => {
      const u = quotaUsage(w, r);
      return `${r}  instances ${u.instances.used}/${u.instances.limit}  databases ${u.databases.used}/${u.databases.limit}  buckets ${u.buckets.used}/${u.buckets.limit}`;
    }),
  );
  section(
    "subnets",
    Object.entries(w.subnets).map(([n, s]) => `${n}  ${s.region}  ${s.cidr}  ${freeIps(w, n)}/${s.totalIps} free`),
  );
  section(
    "instances",
    Object.entries(w.instances).map(([n, i]) => `${n}  ${i.size}  ${i.subnet}  ${i.ip}  ${i.state}`),
  );
  section(
    "databases",
    Object.entries(w.databases).map(
      ([n, d]) =>
        `${n}  postgres ${d.version}  ${d.region}/${d.subnet}  ${d.ip}  ${Object.keys(d.tables).length} tables ${totalRows(d.tables)} rows${d.readOnly ? "  READ-ONLY" : ""}${d.replicas.length ? `  replicas ${d.replicas.map((r) => `${r.name}(lag ${r.lagSeconds}s)`).join(",")}` : ""}`,
    ),
  );
  section(
    "snapshots",
    Object.entries(w.snapshots).map(([n, s]) => `${n}  of ${s.database}  at t${s.createdAt}`),
  );
  section(
    "dumps",
    Object.entries(w.dumps).map(([p, d]) => `${p}  of ${d.database}  ${d.bytes} bytes`),
  );
  section(
    "buckets",
    Object.entries(w.buckets).map(
      ([n, b]) =>
        `${n}  ${b.region}${b.foreign ? "  (another account)" : ""}  ${Object.keys(b.objects).length} objects${Object.keys(
          b.objects,
        )
          .map((k) => `\n    ${k}`)
          .join("")}`,
    ),
  );
  section(
    "dns",
    Object.entries(w.dnsZones).flatMap(([z, zone]) =>
      Object.values(zone.records).map((r) => `${z}  ${r.name} ${r.type} ${r.value}  ttl ${r.ttl}`),
    ),
  );
  section(
    "secrets",
    Object.entries(w.secrets).map(([n, s]) => {
      const cur = s.versions.at(-1)!;
      return `${n}  v${cur.version}${cur.leaked ? "  LEAKED" : ""}  revoked: ${
        s.versions
          .filter((v) => v.revoked)
          .map((v) => `v${v.version}`)
          .join(",") || "none"
      }`;
    }),
  );
  section(
    "users",
    Object.entries(w.users).map(
      ([n, u]) =>
        `${n}  groups ${
          Object.keys(w.groups)
            .filter((g) => w.groups[g]!.members.includes(n))
            .join(",") || "-"
        }  keys ${u.accessKeys.map((k) => k.id).join(",") || "-"}`,
    ),
  );
  section(
    "services",
    Object.entries(w.services).map(
      ([n, s]) =>
        `${n}  ${Object.entries(s.slots)
          .map(([k, v]) => `${k}=${v.version}(${v.health}, ${s.traffic[k] ?? 0}%)`)
          .join("  ")}`,
    ),
  );
  section(
    "load balancers",
    Object.entries(w.loadBalancers).map(([n, lb]) => `${n}  ${lb.region}  targets ${lb.targets.join(",") || "-"}`),
  );
  section(
    "flags",
    Object.entries(w.flags).map(([n, f]) => `${n}  ${f.enabled ? "on" : "off"}  rollout ${f.rollout}%`),
  );
  return `${out.join("\n")}\n`;
}
