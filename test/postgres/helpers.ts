// Shared set-up of the PostgreSQL tests: a small lab of its own per test file, on free ports, in a temp state folder.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll } from "vitest";
import { findPgBin, type LabState, labDown, labUp } from "../../src/lab/index.js";

/** Why the PostgreSQL tests skip, or undefined when they can run. */
export const SKIP_REASON = findPgBin()
  ? undefined
  : "PostgreSQL programs not found (apt-get install -y postgresql, or set PLANFILE_PG_BIN)";

/** Small enough to keep the tests fast; the lab's default is 1,000,000. */
export const TEST_ROWS = 5_000;

export interface TestLab {
  stateDir: string;
  state: LabState;
  port(cluster: string): number;
  query<T = Record<string, unknown>>(cluster: string, database: string, sql: string, params?: unknown[]): Promise<T[]>;
}

/** Starts a lab for this test file (before all) and destroys it (after all). */
export function useLab(rows = TEST_ROWS): TestLab {
  const stateDir = mkdtempSync(join(tmpdir(), "planfile-pg-"));
  const lab = { stateDir } as TestLab;
  beforeAll(async () => {
    lab.state = await labUp({ stateDir, ports: { east: 0, west: 0 }, rows });
  }, 120_000);
  afterAll(async () => {
    await labDown({ stateDir, destroy: true });
    rmSync(stateDir, { recursive: true, force: true });
  }, 60_000);
  lab.port = (cluster) => lab.state.clusters.find((c) => c.name === cluster)!.port;
  lab.query = async (cluster, database, sql, params) => {
    const client = new pg.Client({ host: "127.0.0.1", port: lab.port(cluster), user: "postgres", database });
    await client.connect();
    try {
      return (await client.query(sql, params as unknown[])).rows;
    } finally {
      await client.end();
    }
  };
  return lab;
}

export async function databasesOf(lab: TestLab, cluster: string): Promise<string[]> {
  const rows = await lab.query<{ datname: string }>(
    cluster,
    "postgres",
    "SELECT datname FROM pg_database WHERE NOT datistemplate AND datname <> 'postgres' ORDER BY 1",
  );
  return rows.map((r) => r.datname);
}

/**
 * Every row of every table of a database, summarised in SQL independently of
 * the pack's own checksum: count and md5 over the rows in text order.
 */
export async function rowDigest(lab: TestLab, cluster: string, database: string): Promise<Record<string, string>> {
  const client = new pg.Client({ host: "127.0.0.1", port: lab.port(cluster), user: "postgres", database });
  await client.connect();
  try {
    await client.query("SET TimeZone = 'UTC'");
    const tables = await client.query(
      "SELECT format('%I.%I', schemaname, tablename) AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY 1",
    );
    const out: Record<string, string> = {};
    for (const { name } of tables.rows) {
      const { rows } = await client.query(
        `SELECT count(*)::text AS n, md5(coalesce(string_agg(r::text, E'\\n' ORDER BY r::text), '')) AS digest FROM ${name} r`,
      );
      out[name] = `${rows[0].n}:${rows[0].digest}`;
    }
    return out;
  } finally {
    await client.end();
  }
}

/** Where the migration's world stands: is the source writable, which databases west has, where clients go, which dumps exist. */
export async function migrationState(lab: TestLab, database = "orders") {
  const [ro] = await lab.query<{ ro: boolean }>(
    "east",
    "postgres",
    `SELECT coalesce(bool_or(s = 'default_transaction_read_only=on'), false) AS ro
       FROM pg_db_role_setting r JOIN pg_database d ON d.oid = r.setdatabase, unnest(r.setconfig) s WHERE d.datname = $1`,
    [database],
  );
  const [service] = await lab.query<{ cluster: string; port: number; database: string }>(
    "east",
    "catalog",
    "SELECT cluster, port, database FROM services WHERE name = $1",
    [database],
  );
  let dumps: string[] = [];
  try {
    const { readdirSync } = await import("node:fs");
    dumps = readdirSync(join(lab.stateDir, "postgres", "dumps")).sort();
  } catch {}
  return {
    sourceWritable: !ro!.ro,
    westDatabases: await databasesOf(lab, "west"),
    clientsOn: service,
    dumps,
  };
}
