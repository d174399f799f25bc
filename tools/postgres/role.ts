/**
 * Handlers of postgres.role.*: login roles, their grants and passwords.
 *
 * A password never travels in clear: rotatePassword computes the SCRAM-SHA-256
 * verifier here (as psql's \password does) and sends only that, so neither
 * the server log nor pg_stat_activity can show the secret. It comes from
 * `${{ secrets.X }}` in the plan, resolved at call time and redacted from the
 * journal.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes } from "node:crypto";
import type pg from "pg";
import { ToolError } from "../../src/registry/tool-error.js";
import type { HandlerContext } from "../../src/registry/types.js";
import { checkName, tryLogin, withClient } from "./client.js";
import { resolveConnection } from "./connections.js";

interface RoleArgs {
  cluster: string;
  role: string;
}

export function scramVerifier(password: string, salt = randomBytes(16), iterations = 4096): string {
  const salted = pbkdf2Sync(password.normalize("NFKC"), salt, iterations, 32, "sha256");
  const clientKey = createHmac("sha256", salted).update("Client Key").digest();
  const storedKey = createHash("sha256").update(clientKey).digest();
  const serverKey = createHmac("sha256", salted).update("Server Key").digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString("base64")}$${storedKey.toString("base64")}:${serverKey.toString("base64")}`;
}

async function roleRow(c: pg.Client, role: string) {
  const { rows } = await c.query(
    `SELECT rolcanlogin AS login, rolsuper AS superuser,
            ARRAY(SELECT b.rolname FROM pg_auth_members m JOIN pg_roles b ON b.oid = m.roleid WHERE m.member = r.oid ORDER BY 1)::text[] AS member_of,
            ARRAY(SELECT datname FROM pg_database WHERE has_database_privilege(r.oid, oid, 'CONNECT') AND NOT datistemplate ORDER BY 1)::text[] AS can_connect
       FROM pg_roles r WHERE rolname = $1`,
    [role],
  );
  return rows[0] as { login: boolean; superuser: boolean; member_of: string[]; can_connect: string[] } | undefined;
}

export async function describe({ cluster, role }: RoleArgs, ctx: HandlerContext) {
  return withClient(ctx.stateDir, { cluster }, async (c) => {
    const row = await roleRow(c, role);
    if (!row) return { cluster, role, exists: false };
    return {
      cluster,
      role,
      exists: true,
      login: row.login,
      superuser: row.superuser,
      memberOf: row.member_of,
      canConnect: row.can_connect,
    };
  });
}

export async function create(
  { cluster, role, login = true, password }: RoleArgs & { login?: boolean; password?: string },
  ctx: HandlerContext,
) {
  checkName("role", role);
  return withClient(ctx.stateDir, { cluster }, async (c) => {
    if (await roleRow(c, role))
      throw new ToolError(
        "ALREADY_EXISTS",
        `role ${role} already exists on cluster ${cluster}; drop it first or choose another name`,
      );
    if (!ctx.dryRun) {
      const pw = password === undefined ? "" : ` PASSWORD ${c.escapeLiteral(scramVerifier(password))}`;
      await c.query(`CREATE ROLE ${c.escapeIdentifier(role)} ${login ? "LOGIN" : "NOLOGIN"}${pw}`);
    }
    return { cluster, role, created: true as const, login };
  });
}

export async function drop({ cluster, role }: RoleArgs, ctx: HandlerContext) {
  return withClient(ctx.stateDir, { cluster }, async (c) => {
    const row = await roleRow(c, role);
    if (!row) throw new ToolError("NOT_FOUND", `role ${role} does not exist on cluster ${cluster}`);
    if (!ctx.dryRun) await c.query(`DROP ROLE ${c.escapeIdentifier(role)}`);
    return { cluster, role, dropped: true as const, login: row.login };
  });
}

const PRIVILEGES = {
  connect: [],
  read: ["SELECT"],
  write: ["SELECT", "INSERT", "UPDATE", "DELETE"],
} as const;

type Privilege = keyof typeof PRIVILEGES;

async function changeGrant(
  grant: boolean,
  { cluster, database, role, privilege }: RoleArgs & { database: string; privilege: Privilege },
  ctx: HandlerContext,
) {
  return withClient(ctx.stateDir, { cluster, database }, async (c) => {
    if (!(await roleRow(c, role)))
      throw new ToolError("NOT_FOUND", `role ${role} does not exist on cluster ${cluster}`);
    if (!ctx.dryRun) {
      const r = c.escapeIdentifier(role);
      const db = c.escapeIdentifier(database);
      const tablePrivs = PRIVILEGES[privilege].join(", ");
      await c.query("BEGIN");
      if (grant) {
        await c.query(`GRANT CONNECT ON DATABASE ${db} TO ${r}`);
        await c.query(`GRANT USAGE ON SCHEMA public TO ${r}`);
        if (tablePrivs) await c.query(`GRANT ${tablePrivs} ON ALL TABLES IN SCHEMA public TO ${r}`);
      } else {
        // Revoking "connect" takes everything; revoking read or write leaves the connection.
        if (privilege === "connect") await c.query(`REVOKE ALL ON DATABASE ${db} FROM ${r}`);
        await c.query(`REVOKE ${tablePrivs || "ALL"} ON ALL TABLES IN SCHEMA public FROM ${r}`);
      }
      await c.query("COMMIT");
    }
    return { cluster, database, role, privilege, granted: grant };
  });
}

export const grant = (args: RoleArgs & { database: string; privilege: Privilege }, ctx: HandlerContext) =>
  changeGrant(true, args, ctx);
export const revoke = (args: RoleArgs & { database: string; privilege: Privilege }, ctx: HandlerContext) =>
  changeGrant(false, args, ctx);

export async function rotatePassword(
  { cluster, role, password, terminate = false }: RoleArgs & { password: string; terminate?: boolean },
  ctx: HandlerContext,
) {
  if (password.length < 12)
    throw new ToolError(
      "INVALID_SECRET",
      `the new password of ${role} is shorter than 12 characters; use a longer secret`,
    );
  return withClient(ctx.stateDir, { cluster }, async (c) => {
    const row = await roleRow(c, role);
    if (!row) throw new ToolError("NOT_FOUND", `role ${role} does not exist on cluster ${cluster}`);
    let terminated = 0;
    if (!ctx.dryRun) {
      await c.query(`ALTER ROLE ${c.escapeIdentifier(role)} PASSWORD ${c.escapeLiteral(scramVerifier(password))}`);
      if (terminate) {
        const { rows } = await c.query(
          "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE usename = $1",
          [role],
        );
        terminated = Number(rows[0].n);
      }
    }
    return { cluster, role, rotated: true as const, terminated };
  });
}

/** Can this role log in with this password? Used to prove a rotation (old one refused, new one accepted). */
export async function checkLogin(
  { cluster, role, password, database = "postgres" }: RoleArgs & { password: string; database?: string },
  ctx: HandlerContext,
) {
  const connection = resolveConnection(cluster, ctx.stateDir);
  return { cluster, role, ...(await tryLogin(connection, { role, password, database })) };
}
