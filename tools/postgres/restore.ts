/**
 * Handler of postgres.db.restore: a dump into an existing, empty database,
 * all of it or nothing, restored in parallel (decision 0173).
 *
 * pg_restore -j loads the dump into a staging database of its own (made from
 * the empty target as its template), invisible to clients and to the verify
 * probe. Only when pg_restore has finished does one transaction rename the
 * empty target away and the staging database into its place; the empty one
 * is dropped after. So the target is either untouched (empty) or complete,
 * whenever planfile dies: a staging database left by a killed run, and the
 * pg_restore still filling it, are removed (DROP … WITH (FORCE)) by the next
 * restore into that database and by postgres.db.drop of it.
 */
import { createHash, randomBytes } from "node:crypto";
import { availableParallelism } from "node:os";
import type pg from "pg";
import { ToolError } from "../../src/registry/tool-error.js";
import type { HandlerContext } from "../../src/registry/types.js";
import { toToolError, withClient } from "./client.js";
import { resolveConnection } from "./connections.js";
import { dumpDir, dumpPath } from "./dump-files.js";
import { inspect } from "./inspect.js";
import { pgEnv, program, runProgram } from "./programs.js";
import { existsSync } from "node:fs";

/** pg_restore jobs: one per core, at most 4 (a dump of a few big tables gains little from more). */
const JOBS = Math.max(1, Math.min(4, availableParallelism()));

/** Staging databases of restores into `database` start with this (a digest: any name fits in 63 bytes). */
export function stagingPrefix(database: string): string {
  return `planfile_restore_${createHash("sha256").update(database).digest("hex").slice(0, 12)}_`;
}

/** Drops what earlier restores into `database` left behind, ending the sessions of any pg_restore still in one. */
export async function dropStaging(c: pg.Client, database: string): Promise<string[]> {
  const { rows } = await c.query("SELECT datname FROM pg_database WHERE starts_with(datname, $1) ORDER BY 1", [
    stagingPrefix(database),
  ]);
  const names = rows.map((r) => String(r.datname));
  for (const name of names) await c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(name)} WITH (FORCE)`);
  return names;
}

export async function restore(
  { cluster, database, file }: { cluster: string; database: string; file: string },
  ctx: HandlerContext,
) {
  const path = dumpPath(ctx.stateDir, file);
  if (!existsSync(path))
    throw new ToolError(
      "NOT_FOUND",
      `dump ${file} does not exist in ${dumpDir(ctx.stateDir)}; make one with postgres.db.dump`,
    );
  const connection = resolveConnection(cluster, ctx.stateDir);
  await withClient(ctx.stateDir, { cluster, database }, async (c) => {
    const facts = await inspect(c, database, false);
    if (facts.tableCount > 0)
      throw new ToolError(
        "CONFLICT",
        `database ${database} on cluster ${cluster} is not empty (${facts.tableCount} tables); restore only into an empty database, or clear it first (postgres.db.clear)`,
      );
  });
  const prefix = stagingPrefix(database);
  const staging = `${prefix}${randomBytes(4).toString("hex")}`;
  const retired = `${prefix}${randomBytes(4).toString("hex")}_empty`;
  await withClient(ctx.stateDir, { cluster }, async (c) => {
    await dropStaging(c, database);
    const { rows } = await c.query("SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = $1", [
      database,
    ]);
    // The empty target as the template: the same encoding, locale and anything its owner set up in it.
    await c.query(
      `CREATE DATABASE ${c.escapeIdentifier(staging)} TEMPLATE ${c.escapeIdentifier(database)} OWNER ${c.escapeIdentifier(String(rows[0].owner))}`,
    );
  });
  // Test hook for the crash tests: die like a SIGKILLed runner while pg_restore is filling the staging
  // database ("half"), or right after the restored database took the target's place ("committed").
  const killAt = process.env.PLANFILE_TEST_KILL_DURING_RESTORE;
  const restoring = runProgram(
    [program("pg_restore"), "--no-owner", "--exit-on-error", "--no-password", `--jobs=${JOBS}`, "-d", staging, path],
    pgEnv(connection, staging, "planfile-restore"),
    ctx.signal,
  );
  const watcher = killAt === "half" ? killOnceStarted(ctx.stateDir, cluster, staging) : undefined;
  const result = await restoring;
  await watcher;
  if (result.code !== 0) {
    await withClient(ctx.stateDir, { cluster }, (c) => dropStaging(c, database)).catch(() => {});
    const tail = result.stderr.trim().slice(-600);
    const role = /role "([^"]+)" does not exist/.exec(tail);
    throw role
      ? new ToolError(
          "NOT_FOUND",
          `the dump grants to role ${role[1]}, which does not exist on cluster ${cluster}; create it there first (postgres.role.create); nothing was restored`,
        )
      : toToolError(
          { message: `pg_restore failed, nothing was restored (the target is untouched): ${tail}` },
          { cluster, database },
          connection,
        );
  }
  await withClient(ctx.stateDir, { cluster }, async (c) => {
    try {
      await c.query("BEGIN");
      await c.query(`ALTER DATABASE ${c.escapeIdentifier(database)} RENAME TO ${c.escapeIdentifier(retired)}`);
      await c.query(`ALTER DATABASE ${c.escapeIdentifier(staging)} RENAME TO ${c.escapeIdentifier(database)}`);
      await c.query("COMMIT");
    } catch (error) {
      await c.query("ROLLBACK").catch(() => {});
      await dropStaging(c, database).catch(() => {});
      throw error;
    }
    await c.query(`DROP DATABASE ${c.escapeIdentifier(retired)} WITH (FORCE)`);
  });
  if (killAt === "committed") process.kill(process.pid, "SIGKILL");
  const facts = await withClient(ctx.stateDir, { cluster, database }, (c) => inspect(c, database, false));
  return {
    cluster,
    database,
    file,
    tables: Object.fromEntries(Object.entries(facts.tables).map(([t, f]) => [t, f.rows])),
    tableCount: facts.tableCount,
    totalRows: facts.totalRows,
  };
}

/** The "half" crash: once pg_restore has created a table in the staging database, SIGKILL this process (before the swap, always). */
async function killOnceStarted(stateDir: string, cluster: string, staging: string): Promise<void> {
  for (;;) {
    const tables = await withClient(stateDir, { cluster, database: staging }, async (c) => {
      const { rows } = await c.query("SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'");
      return Number(rows[0].n);
    }).catch(() => 0);
    if (tables > 0) process.kill(process.pid, "SIGKILL");
    await new Promise((r) => setTimeout(r, 20));
  }
}
