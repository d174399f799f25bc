/**
 * Handler of postgres.db.restore: a dump into an existing, empty database, all
 * of it or nothing (decision 0173). pg_restore runs in one transaction and
 * reads the dump from its stdin, fed by planfile: if planfile dies
 * mid-restore, pg_restore sees the end of its input, fails, and the
 * transaction rolls back, so the target is either fully restored or untouched
 * and the verify probe can tell which.
 */
import { existsSync } from "node:fs";
import { ToolError } from "../../src/registry/tool-error.js";
import type { HandlerContext } from "../../src/registry/types.js";
import { toToolError, withClient } from "./client.js";
import { resolveConnection } from "./connections.js";
import { dumpDir, dumpPath } from "./dump-files.js";
import { inspect } from "./inspect.js";
import { pgEnv, program, runProgram } from "./programs.js";

/** Seconds a restore waits for an earlier restore session on its target to end (a restore of a killed run rolling back). */
const BUSY_WAIT_MS = 15_000;

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
    for (const deadline = Date.now() + BUSY_WAIT_MS; ; ) {
      const { rows } = await c.query(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'planfile-restore'",
      );
      if (Number(rows[0].n) === 0) break;
      if (Date.now() > deadline)
        throw new ToolError(
          "CONFLICT",
          `another restore into ${database} on ${cluster} is still running; wait for it, or terminate it (postgres.db.terminate)`,
        );
      await new Promise((r) => setTimeout(r, 200));
    }
    const facts = await inspect(c, database, false);
    if (facts.tableCount > 0)
      throw new ToolError(
        "CONFLICT",
        `database ${database} on cluster ${cluster} is not empty (${facts.tableCount} tables); restore only into an empty database, or clear it first (postgres.db.clear)`,
      );
  });
  // Test hook for the crash tests: die like a SIGKILLed runner half-way through pg_restore's input ("half"),
  // or right after pg_restore committed, before this call returns ("committed").
  const killAt = process.env.PLANFILE_TEST_KILL_DURING_RESTORE;
  const result = await runProgram(
    [program("pg_restore"), "--no-owner", "--single-transaction", "--exit-on-error", "--no-password", "-d", database],
    pgEnv(connection, database, "planfile-restore"),
    ctx.signal,
    {
      path,
      onProgress: (sent, total) => {
        if (killAt === "half" && sent >= total / 2) process.kill(process.pid, "SIGKILL");
      },
    },
  );
  if (result.code !== 0) {
    const tail = result.stderr.trim().slice(-600);
    const role = /role "([^"]+)" does not exist/.exec(tail);
    throw role
      ? new ToolError(
          "NOT_FOUND",
          `the dump grants to role ${role[1]}, which does not exist on cluster ${cluster}; create it there first (postgres.role.create); nothing was restored`,
        )
      : toToolError(
          { message: `pg_restore failed, nothing was restored (one transaction): ${tail}` },
          { cluster, database },
          connection,
        );
  }
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
