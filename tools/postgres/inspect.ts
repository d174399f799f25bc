/**
 * What a database holds, read in SQL: tables, exact row counts and a content
 * checksum per table, in one REPEATABLE READ snapshot.
 *
 * The checksum must be equal on two clusters holding the same rows, whatever
 * their settings, so the session pins every setting that changes how a row
 * prints (time zone, date and interval style, float digits, bytea output).
 * It sums a 64-bit hash of each row's text (hashtextextended, the function
 * hash partitioning relies on staying stable across clusters and upgrades):
 * order-free, so no sort and no 1 GB string_agg limit on big tables, and about
 * 2.5× cheaper than an md5 per row; the row count is mixed in.
 */
import type pg from "pg";

export interface TableFacts {
  rows: number;
  checksum: string;
}

export interface DatabaseFacts {
  sizeBytes: number;
  readOnly: boolean;
  connections: number;
  owner: string;
  tables: Record<string, TableFacts>;
  tableCount: number;
  totalRows: number;
  checksum: string;
}

const PIN_SETTINGS = `SET TimeZone = 'UTC'; SET DateStyle = 'ISO, MDY'; SET IntervalStyle = 'postgres';
SET extra_float_digits = 3; SET bytea_output = 'hex'`;

export async function readOnlyOf(client: pg.Client, database: string): Promise<boolean> {
  const { rows } = await client.query(
    `SELECT coalesce(bool_or(s = 'default_transaction_read_only=on'), false) AS ro
       FROM pg_db_role_setting r JOIN pg_database d ON d.oid = r.setdatabase, unnest(r.setconfig) s
      WHERE d.datname = $1 AND r.setrole = 0`,
    [database],
  );
  return rows[0].ro === true;
}

/** Facts about the database the client is connected to. */
export async function inspect(client: pg.Client, database: string, withChecksums = true): Promise<DatabaseFacts> {
  await client.query(PIN_SETTINGS);
  await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  try {
    const meta = await client.query(
      `SELECT pg_database_size(current_database())::float8 AS size,
              (SELECT count(*)::int FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()) AS conns,
              pg_get_userbyid(d.datdba) AS owner
         FROM pg_database d WHERE d.datname = current_database()`,
    );
    const list = await client.query(
      `SELECT n.nspname AS schema, c.relname AS name, format('%I.%I', n.nspname, c.relname) AS qualified
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
          AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
        ORDER BY 1, 2`,
    );
    const tables: Record<string, TableFacts> = {};
    for (const t of list.rows as { schema: string; name: string; qualified: string }[]) {
      const key = t.schema === "public" ? t.name : `${t.schema}.${t.name}`;
      const sql = withChecksums
        ? `SELECT count(*)::float8 AS n,
                  md5(count(*)::text || ':' || coalesce(sum(hashtextextended(r::text, 0)), 0)::text) AS sum
             FROM ${t.qualified} r`
        : `SELECT count(*)::float8 AS n, '' AS sum FROM ${t.qualified}`;
      const { rows } = await client.query(sql);
      tables[key] = { rows: Number(rows[0].n), checksum: withChecksums ? `h64:${rows[0].sum}` : "" };
    }
    const names = Object.keys(tables).sort();
    const totalRows = names.reduce((s, n) => s + tables[n]!.rows, 0);
    const { createHash } = await import("node:crypto");
    const digest = createHash("md5")
      .update(names.map((n) => `${n}:${tables[n]!.rows}:${tables[n]!.checksum}`).join("\n"))
      .digest("hex");
    return {
      sizeBytes: Number(meta.rows[0].size),
      readOnly: await readOnlyOf(client, database),
      connections: Number(meta.rows[0].conns),
      owner: String(meta.rows[0].owner),
      tables,
      tableCount: names.length,
      totalRows,
      checksum: withChecksums ? `h64:${digest}` : "",
    };
  } finally {
    await client.query("ROLLBACK");
  }
}
