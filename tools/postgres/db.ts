// Handlers of postgres.db.*: databases on a named cluster — list, describe, create, drop, freeze, clear, verify.
import type pg from "pg";
import type { HandlerContext } from "../../src/registry/types.js";
import { ToolError } from "../../src/registry/tool-error.js";
import { checkName, withClient } from "./client.js";
import { inspect, readOnlyOf } from "./inspect.js";

interface DbArgs {
  cluster: string;
  database: string;
}

async function exists(client: pg.Client, database: string): Promise<boolean> {
  const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
  return rowCount === 1;
}

async function mustExist(client: pg.Client, { cluster, database }: DbArgs): Promise<void> {
  if (!(await exists(client, database)))
    throw new ToolError(
      "NOT_FOUND",
      `database ${database} does not exist on cluster ${cluster}; list them with postgres.db.list`,
    );
}

export async function list({ cluster, volatile = true }: { cluster: string; volatile?: boolean }, ctx: HandlerContext) {
  return withClient(ctx.stateDir, { cluster }, async (c) => {
    const { rows } = await c.query(
      `SELECT datname AS name, pg_database_size(datname)::float8 AS size,
              (SELECT count(*)::int FROM pg_stat_activity a WHERE a.datname = d.datname) AS conns
         FROM pg_database d WHERE NOT datistemplate AND datname <> 'postgres' ORDER BY 1`,
    );
    const databases = [];
    for (const r of rows)
      databases.push({
        name: String(r.name),
        readOnly: await readOnlyOf(c, r.name),
        ...(volatile ? { sizeBytes: Number(r.size), connections: Number(r.conns) } : {}),
      });
    return { cluster, databases };
  });
}

export async function describe(
  { cluster, database, checksums = true, volatile = true }: DbArgs & { checksums?: boolean; volatile?: boolean },
  ctx: HandlerContext,
) {
  const { sizeBytes, connections, ...facts } = await withClient(ctx.stateDir, { cluster, database }, (c) =>
    inspect(c, database, checksums),
  );
  // Size on disk and open sessions change without any write; a planning probe leaves them out so the plan is not stale for that.
  return { cluster, database, ...facts, ...(volatile ? { sizeBytes, connections } : {}) };
}

export async function create({ cluster, database }: DbArgs, ctx: HandlerContext) {
  checkName("database", database);
  return withClient(ctx.stateDir, { cluster }, async (c) => {
    if (await exists(c, database))
      throw new ToolError(
        "ALREADY_EXISTS",
        `database ${database} already exists on cluster ${cluster}; drop it first (postgres.db.drop) or choose another name`,
      );
    // template0: a copy starts from a clean template, whatever was added to template1 on this cluster.
    if (!ctx.dryRun)
      await c.query(`CREATE DATABASE ${c.escapeIdentifier(database)} TEMPLATE template0 ENCODING 'UTF8'`);
    return { cluster, database, created: true };
  });
}

export async function drop({ cluster, database, force = false }: DbArgs & { force?: boolean }, ctx: HandlerContext) {
  return withClient(ctx.stateDir, { cluster }, async (c) => {
    await mustExist(c, { cluster, database });
    const { rows } = await c.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1", [database]);
    const sessions = Number(rows[0].n);
    if (sessions > 0 && !force)
      throw new ToolError(
        "CONFLICT",
        `database ${database} on cluster ${cluster} has ${sessions} open session(s); terminate them (postgres.db.terminate) or pass force: true`,
      );
    if (!ctx.dryRun) await c.query(`DROP DATABASE ${c.escapeIdentifier(database)}${force ? " WITH (FORCE)" : ""}`);
    return { cluster, database, dropped: true as const, terminated: force ? sessions : 0 };
  });
}

/**
 * ALTER DATABASE … SET default_transaction_read_only applies to sessions that
 * start afterwards only. Sessions already open would keep writing, so they
 * are terminated (unless terminate: false); clients reconnect and get the new
 * default. It is a freeze for well-behaved clients, not a barrier: a session
 * may still SET default_transaction_read_only = off itself.
 */
export async function setReadOnly(
  { cluster, database, readOnly, terminate = true }: DbArgs & { readOnly: boolean; terminate?: boolean },
  ctx: HandlerContext,
) {
  return withClient(ctx.stateDir, { cluster }, async (c) => {
    await mustExist(c, { cluster, database });
    const previous = await readOnlyOf(c, database);
    let terminated = 0;
    if (!ctx.dryRun) {
      const id = c.escapeIdentifier(database);
      await c.query(
        readOnly
          ? `ALTER DATABASE ${id} SET default_transaction_read_only = on`
          : `ALTER DATABASE ${id} RESET default_transaction_read_only`,
      );
      if (terminate && readOnly !== previous) terminated = await terminateSessions(c, database);
    }
    return { cluster, database, readOnly, previous, terminated };
  });
}

async function terminateSessions(c: pg.Client, database: string, role?: string): Promise<number> {
  const { rows } = await c.query(
    `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
      WHERE datname = $1 AND pid <> pg_backend_pid() AND ($2::text IS NULL OR usename = $2)`,
    [database, role ?? null],
  );
  return Number(rows[0].n);
}

export async function terminate({ cluster, database, role }: DbArgs & { role?: string }, ctx: HandlerContext) {
  return withClient(ctx.stateDir, { cluster }, async (c) => {
    await mustExist(c, { cluster, database });
    if (ctx.dryRun) {
      const { rows } = await c.query(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND ($2::text IS NULL OR usename = $2)",
        [database, role ?? null],
      );
      return { cluster, database, terminated: Number(rows[0].n) };
    }
    return { cluster, database, terminated: await terminateSessions(c, database, role) };
  });
}

/** Empties a database (every schema of its own dropped, public recreated): the undo of a restore. */
export async function clear({ cluster, database }: DbArgs, ctx: HandlerContext) {
  return withClient(ctx.stateDir, { cluster, database }, async (c) => {
    const { rows } = await c.query(
      `SELECT nspname FROM pg_namespace WHERE nspname NOT IN ('pg_catalog', 'information_schema')
          AND nspname NOT LIKE 'pg_toast%' AND nspname NOT LIKE 'pg_temp%' ORDER BY 1`,
    );
    const schemas = rows.map((r) => String(r.nspname));
    const { rows: tables } = await c.query(
      "SELECT count(*)::int AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r','p') AND n.nspname = ANY($1)",
      [schemas],
    );
    if (!ctx.dryRun) {
      await c.query("BEGIN");
      for (const s of schemas) await c.query(`DROP SCHEMA ${c.escapeIdentifier(s)} CASCADE`);
      await c.query("CREATE SCHEMA public");
      await c.query("COMMIT");
    }
    return { cluster, database, droppedTables: Number(tables[0].n) };
  });
}

interface VerifyArgs {
  sourceCluster: string;
  sourceDatabase: string;
  targetCluster: string;
  targetDatabase: string;
}

export async function verify(args: VerifyArgs, ctx: HandlerContext) {
  const [source, target] = await Promise.all([
    describe({ cluster: args.sourceCluster, database: args.sourceDatabase }, ctx),
    describe({ cluster: args.targetCluster, database: args.targetDatabase }, ctx),
  ]);
  const names = [...new Set([...Object.keys(source.tables), ...Object.keys(target.tables)])].sort();
  const mismatches = names
    .map((table) => {
      const s = source.tables[table];
      const t = target.tables[table];
      return {
        table,
        sourceRows: s?.rows ?? -1,
        targetRows: t?.rows ?? -1,
        sourceChecksum: s?.checksum ?? "",
        targetChecksum: t?.checksum ?? "",
      };
    })
    .filter((m) => m.sourceRows !== m.targetRows || m.sourceChecksum !== m.targetChecksum);
  return {
    match: mismatches.length === 0,
    tables: names.length,
    sourceRows: source.totalRows,
    targetRows: target.totalRows,
    sourceChecksum: source.checksum,
    targetChecksum: target.checksum,
    mismatches,
  };
}
