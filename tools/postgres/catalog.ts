/**
 * Handlers of postgres.catalog.*: the service catalog, the one table clients
 * read to find a database (`SELECT host, port, database FROM services WHERE
 * name = $1`). Cutting a database over is one UPDATE of its row, in a
 * transaction; the previous row is returned so the compensation can put it back.
 */
import { ToolError } from "../../src/registry/tool-error.js";
import type { HandlerContext } from "../../src/registry/types.js";
import { withClient } from "./client.js";
import { catalogLocation, resolveConnection } from "./connections.js";

interface ServiceRow {
  service: string;
  cluster: string;
  host: string;
  port: number;
  database: string;
}

const SELECT = "SELECT name AS service, cluster, host, port, database, updated_at FROM services WHERE name = $1";

export async function resolve({ service }: { service: string }, ctx: HandlerContext) {
  const where = catalogLocation(ctx.stateDir);
  return withClient(ctx.stateDir, { cluster: where.cluster, database: where.database }, async (c) => {
    const { rows } = await c.query(SELECT, [service]);
    if (!rows[0])
      throw new ToolError(
        "NOT_FOUND",
        `service ${service} is not in the catalog (${where.database} on ${where.cluster}); add its row first`,
      );
    return toRow(rows[0]);
  });
}

function toRow(r: Record<string, unknown>): ServiceRow & { updatedAt: string } {
  return {
    service: String(r.service),
    cluster: String(r.cluster),
    host: String(r.host),
    port: Number(r.port),
    database: String(r.database),
    updatedAt: (r.updated_at as Date).toISOString(),
  };
}

export async function point(
  { service, cluster, database }: { service: string; cluster: string; database: string },
  ctx: HandlerContext,
) {
  const target = resolveConnection(cluster, ctx.stateDir);
  // The new home must answer before clients are sent there.
  await withClient(ctx.stateDir, { cluster, database }, (c) => c.query("SELECT 1"));
  const where = catalogLocation(ctx.stateDir);
  return withClient(ctx.stateDir, { cluster: where.cluster, database: where.database }, async (c) => {
    await c.query("BEGIN");
    try {
      const { rows } = await c.query(`${SELECT} FOR UPDATE`, [service]);
      if (!rows[0])
        throw new ToolError(
          "NOT_FOUND",
          `service ${service} is not in the catalog (${where.database} on ${where.cluster}); add its row first`,
        );
      const previous = toRow(rows[0]);
      if (!ctx.dryRun)
        await c.query(
          "UPDATE services SET cluster = $2, host = $3, port = $4, database = $5, updated_at = now() WHERE name = $1",
          [service, cluster, target.host, target.port, database],
        );
      await c.query("COMMIT");
      return {
        service,
        cluster,
        host: target.host,
        port: target.port,
        database,
        previous: { cluster: previous.cluster, database: previous.database, host: previous.host, port: previous.port },
      };
    } catch (error) {
      await c.query("ROLLBACK").catch(() => {});
      throw error;
    }
  });
}
