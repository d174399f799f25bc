// Handler of postgres.cluster.status: is a named cluster up, and where is it. A cluster that is down is an answer.
import type { HandlerContext } from "../../src/registry/types.js";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ping, withClient } from "./client.js";
import { knownConnections } from "./connections.js";

export async function status({ cluster }: { cluster: string }, ctx: HandlerContext) {
  const answer = await ping(ctx.stateDir, cluster);
  const where = answer.connection ? { host: answer.connection.host, port: answer.connection.port } : {};
  return answer.up
    ? { cluster, up: true, version: answer.version, ...where }
    : { cluster, up: false, reason: answer.reason, ...where };
}

/**
 * Every known cluster (planfile.config.json, then the lab), and the databases
 * and login roles on them: the names a goal may use ("from cluster east", "the
 * orders database", "role orders_app"). A cluster that does not answer within
 * a second is listed as down, with the names it had when it last answered.
 */
export async function list(_args: Record<string, never>, ctx: HandlerContext) {
  const names = knownConnections(ctx.stateDir);
  const answers = await Promise.all(
    names.map(async (name) => {
      try {
        return await withClient(
          ctx.stateDir,
          { cluster: name },
          async (c, conn) => {
            const dbs = await c.query(
              "SELECT datname FROM pg_database WHERE NOT datistemplate AND datname <> 'postgres' ORDER BY 1",
            );
            const roles = await c.query(
              "SELECT rolname FROM pg_roles WHERE rolcanlogin AND rolname NOT LIKE 'pg\\_%' ORDER BY 1",
            );
            return {
              cluster: { name, host: conn.host, port: conn.port, up: true },
              databases: dbs.rows.map((r) => String(r.datname)),
              roles: roles.rows.map((r) => String(r.rolname)),
            };
          },
          { connectTimeoutMs: 1_000 },
        );
      } catch {
        return { cluster: { name, up: false }, databases: [] as string[], roles: [] as string[] };
      }
    }),
  );
  // A cluster that does not answer keeps the names it had when it last did, so a goal naming its database
  // still reads, and the methods' probes say the cluster is down instead of the name seeming unknown.
  const seen = readLastSeen(ctx.stateDir);
  for (const a of answers) {
    if (a.cluster.up) seen[a.cluster.name] = { databases: a.databases, roles: a.roles };
    else Object.assign(a, seen[a.cluster.name] ?? {});
  }
  writeLastSeen(ctx.stateDir, seen);
  const where = (pick: (a: (typeof answers)[number]) => string[]) => {
    const map = new Map<string, string[]>();
    for (const a of answers) for (const n of pick(a)) map.set(n, [...(map.get(n) ?? []), a.cluster.name]);
    return [...map].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, clusters]) => ({ name, clusters }));
  };
  return {
    clusters: answers.map((a) => a.cluster),
    databases: where((a) => a.databases),
    roles: where((a) => a.roles),
  };
}

type LastSeen = Record<string, { databases: string[]; roles: string[] }>;
const lastSeenFile = (stateDir: string) => join(stateDir, "postgres", "last-seen.json");

function readLastSeen(stateDir: string): LastSeen {
  try {
    return JSON.parse(readFileSync(lastSeenFile(stateDir), "utf8")) as LastSeen;
  } catch {
    return {};
  }
}

function writeLastSeen(stateDir: string, seen: LastSeen): void {
  try {
    mkdirSync(join(stateDir, "postgres"), { recursive: true });
    writeFileSync(`${lastSeenFile(stateDir)}.tmp`, JSON.stringify(seen));
    renameSync(`${lastSeenFile(stateDir)}.tmp`, lastSeenFile(stateDir));
  } catch {
    // A cache only: a read-only state folder (a dry run's copy, a CI checkout) still lists.
  }
}
