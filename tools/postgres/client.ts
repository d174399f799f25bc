/**
 * One short-lived connection per call (a plan makes few calls; a pool would
 * outlive the step), and the mapping of PostgreSQL's SQLSTATEs onto the
 * typed codes the runner and the planner understand.
 */
import pg from "pg";
import { ToolError } from "../../src/registry/tool-error.js";
import { type Connection, resolveConnection } from "./connections.js";

export const NAME_PATTERN = /^[a-z_][a-z0-9_-]{0,62}$/;

export interface Target {
  cluster: string;
  database?: string;
}

export async function withClient<T>(
  stateDir: string,
  target: Target,
  body: (client: pg.Client, connection: Connection) => Promise<T>,
  options: { applicationName?: string; connectTimeoutMs?: number } = {},
): Promise<T> {
  const connection = resolveConnection(target.cluster, stateDir);
  const client = new pg.Client({
    host: connection.host,
    port: connection.port,
    user: connection.user,
    password: connection.password,
    database: target.database ?? "postgres",
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    application_name: options.applicationName ?? "planfile",
  });
  // A server that goes away mid-call emits 'error' on the client; the query's rejection carries it.
  client.on("error", () => {});
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => {});
    throw toToolError(error, target, connection);
  }
  try {
    return await body(client, connection);
  } catch (error) {
    throw error instanceof ToolError ? error : toToolError(error, target, connection);
  } finally {
    await client.end().catch(() => {});
  }
}

export type LoginResult = { accepted: true; reason: "" } | { accepted: false; reason: string };

/**
 * Try to log in as `role` with `password`: the one way every caller (the checkLogin tool, the eval's goal
 * checks, the tests) proves a credential. A refusal (wrong password, no such role, no LOGIN) is an answer;
 * an unreachable server is an error, never a silent "refused".
 */
export async function tryLogin(
  server: { host: string; port: number; name?: string },
  login: { role: string; password: string; database?: string },
): Promise<LoginResult> {
  const client = new pg.Client({
    host: server.host,
    port: server.port,
    user: login.role,
    password: login.password,
    database: login.database ?? "postgres",
    connectionTimeoutMillis: 5_000,
  });
  client.on("error", () => {});
  try {
    await client.connect();
    return { accepted: true, reason: "" };
  } catch (error) {
    const e = error as { code?: string; message?: string };
    if (e.code === "28P01" || e.code === "28000") return { accepted: false, reason: String(e.message) };
    const where = `${server.name ? `cluster ${server.name} ` : ""}(${server.host}:${server.port})`;
    throw new ToolError("UNAVAILABLE", `cannot reach ${where} to check the login of ${login.role}: ${e.message}`, {
      transient: true,
      cause: error,
    });
  } finally {
    await client.end().catch(() => {});
  }
}

/** Is the cluster up? Never throws for a cluster that is down: that is an answer, not an error. */
export async function ping(
  stateDir: string,
  cluster: string,
): Promise<
  { up: true; version: string; connection: Connection } | { up: false; reason: string; connection?: Connection }
> {
  let connection: Connection | undefined;
  try {
    connection = resolveConnection(cluster, stateDir);
    return await withClient(stateDir, { cluster }, async (c, conn) => {
      const { rows } = await c.query("SHOW server_version");
      return { up: true as const, version: String(rows[0].server_version), connection: conn };
    });
  } catch (error) {
    return { up: false, reason: (error as Error).message, ...(connection ? { connection } : {}) };
  }
}

const NETWORK = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EHOSTUNREACH", "ENOTFOUND", "EPIPE"]);

export function toToolError(error: unknown, target: Target, connection?: Connection): ToolError {
  const e = error as { code?: string; message?: string };
  const where = connection
    ? `cluster ${target.cluster} (${connection.host}:${connection.port})`
    : `cluster ${target.cluster}`;
  const db = target.database ? `database ${target.database} on ${where}` : where;
  const code = e.code ?? "";
  const message = e.message ?? String(error);
  if (NETWORK.has(code) || /timeout|Connection terminated/i.test(message))
    return new ToolError(
      "UNAVAILABLE",
      `${where} is not reachable (${code || message}); start it (lab: tsx src/lab.ts up) or fix the connection in planfile.config.json, then retry`,
      { transient: true, cause: error },
    );
  if (code === "57P03" || code.startsWith("08"))
    return new ToolError("UNAVAILABLE", `${where} is not accepting connections yet (${message}); retry shortly`, {
      transient: true,
      cause: error,
    });
  if (code === "3D000")
    return new ToolError("NOT_FOUND", `${db} does not exist; list them with postgres.db.list`, { cause: error });
  if (code === "42P04" || code === "42710")
    return new ToolError("ALREADY_EXISTS", `${message} on ${where}; choose another name or drop it first`, {
      cause: error,
    });
  if (code === "42704") return new ToolError("NOT_FOUND", `${message} on ${where}`, { cause: error });
  if (code === "55006" || code === "2BP01")
    return new ToolError(
      "CONFLICT",
      `${message} (${db}); terminate its sessions (postgres.db.terminate) or remove the dependency, then retry`,
      { cause: error },
    );
  if (code === "25006")
    return new ToolError(
      "READ_ONLY",
      `${db} is read-only (${message}); set it writable with postgres.db.setReadOnly readOnly=false`,
      { cause: error },
    );
  if (code === "40001" || code === "40P01" || code === "55P03" || code === "57P01")
    return new ToolError("TRANSIENT", `${message} (${db}); safe to retry`, { transient: true, cause: error });
  if (code === "28P01" || code === "28000" || code === "42501")
    return new ToolError(
      "PERMISSION_DENIED",
      `${message} (${db}); check the user and password of connection ${target.cluster}`,
      { cause: error },
    );
  return new ToolError("POSTGRES_ERROR", `${db}: ${message}${code ? ` [SQLSTATE ${code}]` : ""}`, { cause: error });
}

export function checkName(kind: string, name: string): string {
  if (!NAME_PATTERN.test(name))
    throw new ToolError(
      "INVALID_NAME",
      `${kind} name \`${name}\` is not allowed; use lower case letters, digits, _ and -`,
    );
  return name;
}
