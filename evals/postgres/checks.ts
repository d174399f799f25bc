/**
 * Looking at the lab with SQL: goal checks, setup and teardown actions, and
 * the snapshot the rollback metric compares (databases, read-only flags,
 * every row of every public table, the catalog, the dump files).
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import type { Registry } from "../../src/registry/index.js";
import { tryLogin, withClient } from "../../tools/postgres/client.js";
import { resolveConnection } from "../../tools/postgres/connections.js";
import type { Action, GoalCheck, SqlTarget } from "./scenario.js";

export async function query(stateDir: string, target: SqlTarget, sql: string): Promise<unknown> {
  return withClient(stateDir, target, async (client) => {
    // Rows print the same on every cluster, whatever its own settings.
    await client.query("SET TimeZone = 'UTC'; SET DateStyle = 'ISO, MDY'; SET extra_float_digits = 3");
    const { rows } = await client.query({ text: sql, rowMode: "array" });
    return rows[0]?.[0];
  });
}

/** Undefined when the check holds, else what was found. */
export async function failedCheck(
  stateDir: string,
  check: GoalCheck,
  secrets: Record<string, string>,
): Promise<string | undefined> {
  try {
    if ("login" in check) {
      const { cluster, role, accepted, password, secret } = check.login;
      const got = await tryLogin(resolveConnection(cluster, stateDir), {
        role,
        password: secret ? secrets[secret]! : password!,
      });
      return got.accepted === accepted
        ? undefined
        : `login as ${role} was ${got.accepted ? "accepted" : `refused (${got.reason})`}`;
    }
    const value = await query(stateDir, check, check.sql);
    if (check.sameAs) {
      const other = await query(stateDir, check.sameAs, check.sql);
      return value === other && value !== null
        ? undefined
        : `${check.cluster}/${check.database}: ${brief(value)} ≠ ${check.sameAs.cluster}/${check.sameAs.database}: ${brief(other)}`;
    }
    return value === true ? undefined : `query returned ${brief(value)}`;
  } catch (error) {
    return `check failed to run: ${(error as Error).message}`;
  }
}

function brief(v: unknown): string {
  const s = JSON.stringify(v) ?? "undefined";
  return s.length > 80 ? `${s.slice(0, 77)}…` : s;
}

/** Runs setup or teardown actions; open sessions are returned so teardown can close them. */
export async function perform(
  stateDir: string,
  registry: Registry,
  actions: Action[],
  sessions: pg.Client[],
): Promise<void> {
  for (const action of actions) {
    if ("tool" in action)
      await registry.call(action.tool, action.args, { idempotencyKey: `eval-setup:${action.tool}` });
    else if ("sql" in action) await query(stateDir, action.sql, action.sql.sql);
    else {
      const { cluster, database, role, password } = action.openSession;
      const c = resolveConnection(cluster, stateDir);
      const client = new pg.Client({ host: c.host, port: c.port, user: role, password, database });
      client.on("error", () => {});
      await client.connect();
      sessions.push(client);
    }
  }
}

const DIGEST = `SELECT coalesce(string_agg(t.tablename || ':' || (xpath('/table/row/d/text()', query_to_xml(format(
  'SELECT count(*) || '':'' || md5(string_agg(r::text, E''\\n'' ORDER BY r::text)) AS d FROM %I r', t.tablename), false, false, '')))[1]::text,
  ',' ORDER BY t.tablename), '') FROM pg_tables t WHERE t.schemaname = 'public'`;

const CATALOG_ROWS =
  "SELECT string_agg(format('%s→%s/%s:%s', name, cluster, database, port), ',' ORDER BY name) FROM services";

/** What the rollback metric compares before and after. */
export async function snapshot(stateDir: string, clusters: string[]): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const cluster of clusters) {
    const dbs = (await listDatabases(stateDir, cluster)) as { name: string; ro: boolean }[];
    const databases: Record<string, unknown> = {};
    for (const db of dbs) {
      // The catalog's updated_at is an audit trail: a cut-over and its undo leave a newer time, and that is right.
      const sql = db.name === "catalog" ? CATALOG_ROWS : DIGEST;
      databases[db.name] = { readOnly: db.ro, rows: await query(stateDir, { cluster, database: db.name }, sql) };
    }
    out[cluster] = databases;
  }
  let dumps: string[] = [];
  try {
    dumps = readdirSync(join(stateDir, "postgres", "dumps")).sort();
  } catch {}
  out.dumps = dumps;
  return out;
}

async function listDatabases(stateDir: string, cluster: string): Promise<unknown> {
  return withClient(stateDir, { cluster }, async (client) => {
    const { rows } = await client.query(
      `SELECT datname AS name, coalesce((SELECT bool_or(s = 'default_transaction_read_only=on') FROM pg_db_role_setting r, unnest(r.setconfig) s
                                    WHERE r.setdatabase = d.oid AND r.setrole = 0), false) AS ro
         FROM pg_database d WHERE NOT datistemplate AND datname <> 'postgres' ORDER BY 1`,
    );
    return rows;
  });
}
