/**
 * Handlers of postgres.db.dump / restore and postgres.dump.*: the client
 * programs pg_dump and pg_restore, spawned without a shell. Passwords reach
 * them through PGPASSWORD in their environment, never argv.
 *
 * Dumps live in `<state>/postgres/dumps/<file>` beside a `<file>.json` record
 * (who made it, from what, with which idempotency key). A restore reads the
 * dump through pg_restore's stdin in one transaction: if planfile dies
 * mid-restore, pg_restore sees the end of its input, fails, and the
 * transaction rolls back, so the target is either fully restored or untouched
 * and the verify probe can tell which.
 */
import { spawn } from "node:child_process";
import {
  createReadStream,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { findPgBin, INSTALL_HINT } from "../../src/lab/binaries.js";
import { ToolError } from "../../src/registry/tool-error.js";
import type { HandlerContext } from "../../src/registry/types.js";
import { toToolError, withClient } from "./client.js";
import { type Connection, resolveConnection } from "./connections.js";
import { inspect } from "./inspect.js";

/**
 * gzip level of every dump (pg_dump -Fc -Z). pg_dump 15 knows only gzip; level 6 (its default) spends most of
 * a dump's time compressing.
 */
export const DUMP_COMPRESSION = 6;

const FILE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,120}\.dump$/;

export const dumpDir = (stateDir: string) => join(stateDir, "postgres", "dumps");

interface DumpRecord {
  file: string;
  cluster: string;
  database: string;
  key: string;
  dumpedAt: string;
  consistent: boolean;
  tables: Record<string, number>;
  totalRows: number;
}

function dumpPath(stateDir: string, file: string): string {
  if (!FILE_PATTERN.test(file))
    throw new ToolError(
      "INVALID_NAME",
      `dump file \`${file}\` is not allowed; use a plain name ending in .dump (letters, digits, . _ -)`,
    );
  return join(dumpDir(stateDir), file);
}

function readRecord(path: string): DumpRecord | undefined {
  return existsSync(`${path}.json`) ? (JSON.parse(readFileSync(`${path}.json`, "utf8")) as DumpRecord) : undefined;
}

function program(name: "pg_dump" | "pg_restore"): string {
  const bin = findPgBin();
  if (!bin) throw new ToolError("UNAVAILABLE", `${name} not found; ${INSTALL_HINT}`);
  return join(bin, name);
}

/**
 * libpq settings a client program may take from planfile's environment: TLS and GSS options, which the `pg`
 * driver of the pack's own connections honours too. Nothing else of PG*: PGPASSWORD, PGPASSFILE, PGSERVICE or
 * PGOPTIONS there would log in as someone else or change the session behind the connection's back.
 */
const PASSED_PG = /^PG(SSL\w*|REQUIRESSL|GSSENCMODE|KRBSRVNAME|TARGETSESSIONATTRS)$/;

/**
 * The child's whole environment (decision 0163: explicit, never planfile's own): PATH, HOME (libpq's
 * ~/.pgpass and ~/.postgresql certificates, as the `pg` driver reads them), the locale, the TLS settings
 * above, the connection, and the password of this connection only.
 */
export function pgEnv(connection: Connection, database: string, appName: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env))
    if (
      value !== undefined &&
      (name === "PATH" || name === "HOME" || name === "LANG" || name.startsWith("LC_") || PASSED_PG.test(name))
    )
      env[name] = value;
  Object.assign(env, {
    PGHOST: connection.host,
    PGPORT: String(connection.port),
    PGUSER: connection.user,
    PGDATABASE: database,
    PGAPPNAME: appName,
    PGCONNECT_TIMEOUT: "5",
  });
  if (connection.password !== undefined) env.PGPASSWORD = connection.password;
  return env;
}

interface Spawned {
  code: number | null;
  stderr: string;
}

function runProgram(
  argv: string[],
  env: NodeJS.ProcessEnv,
  signal: AbortSignal,
  stdinFile?: { path: string; onProgress?: (sent: number, total: number) => void },
): Promise<Spawned> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), {
      shell: false,
      env,
      stdio: [stdinFile ? "pipe" : "ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr!.on("data", (d: Buffer) => {
      if (stderr.length < 64_000) stderr += d.toString();
    });
    const onAbort = () => child.kill("SIGTERM");
    signal.addEventListener("abort", onAbort, { once: true });
    child.on("error", (cause) =>
      reject(new ToolError("SPAWN_FAILED", `cannot start ${argv[0]}: ${cause.message}`, { cause })),
    );
    child.on("close", (code) => {
      signal.removeEventListener("abort", onAbort);
      resolve({ code, stderr });
    });
    if (stdinFile) {
      const total = statSync(stdinFile.path).size;
      let sent = 0;
      const stream = createReadStream(stdinFile.path, { highWaterMark: 64 * 1024 });
      stream.on("data", (chunk) => {
        sent += chunk.length;
        stdinFile.onProgress?.(sent, total);
      });
      child.stdin!.on("error", () => {});
      stream.pipe(child.stdin!);
    }
  });
}

export async function dump(
  { cluster, database, file }: { cluster: string; database: string; file: string },
  ctx: HandlerContext,
) {
  const path = dumpPath(ctx.stateDir, file);
  const key = ctx.idempotencyKey ?? "";
  const existing = readRecord(path);
  // The same step again (a retry, a resume) rewrites its own dump; anything else keeps its file.
  if (existing && (existing.key !== key || key === ""))
    throw new ToolError(
      "ALREADY_EXISTS",
      `dump ${file} already exists (of ${existing.database} on ${existing.cluster}, ${existing.dumpedAt}); choose another file name or delete it (postgres.dump.delete)`,
    );
  const facts = await withClient(ctx.stateDir, { cluster, database }, (c) => inspect(c, database, false));
  const tables = Object.fromEntries(Object.entries(facts.tables).map(([t, f]) => [t, f.rows]));
  if (ctx.dryRun) {
    // Everything but pg_dump itself: the database answers, the file name is free; the size is unknown (0).
    const predicted = { file, cluster, database, key, dumpedAt: new Date().toISOString(), consistent: facts.readOnly };
    return { ...predicted, tables, tableCount: facts.tableCount, totalRows: facts.totalRows, path, bytes: 0 };
  }
  const connection = resolveConnection(cluster, ctx.stateDir);
  mkdirSync(dumpDir(ctx.stateDir), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  const result = await runProgram(
    [program("pg_dump"), "-Fc", `-Z${DUMP_COMPRESSION}`, "-f", tmp, "--no-password"],
    pgEnv(connection, database, "planfile-dump"),
    ctx.signal,
  );
  if (result.code !== 0) {
    rmSync(tmp, { force: true });
    throw toToolError(
      { message: `pg_dump failed: ${result.stderr.trim().slice(-500)}` },
      { cluster, database },
      connection,
    );
  }
  const record: DumpRecord = {
    file,
    cluster,
    database,
    key,
    dumpedAt: new Date().toISOString(),
    consistent: facts.readOnly,
    tables,
    totalRows: facts.totalRows,
  };
  renameSync(tmp, path);
  writeFileSync(`${path}.json`, `${JSON.stringify(record, null, 2)}\n`);
  return { ...record, tableCount: Object.keys(record.tables).length, path, bytes: statSync(path).size };
}

export async function describeDump({ file }: { file: string }, ctx: HandlerContext) {
  const path = dumpPath(ctx.stateDir, file);
  const record = readRecord(path);
  if (!existsSync(path) || !record) return { file, path, exists: false };
  const { key: _key, ...rest } = record;
  return { ...rest, path, exists: true, bytes: statSync(path).size };
}

export async function listDumps(_args: Record<string, never>, ctx: HandlerContext) {
  let files: string[] = [];
  try {
    files = readdirSync(dumpDir(ctx.stateDir)).filter((f) => FILE_PATTERN.test(f));
  } catch {
    // No dump folder yet: no dumps.
  }
  const dumps = files.sort().map((file) => {
    const record = readRecord(join(dumpDir(ctx.stateDir), file));
    return {
      name: file,
      ...(record ? { cluster: record.cluster, database: record.database, totalRows: record.totalRows } : {}),
    };
  });
  return { dumps };
}

export async function deleteDump({ file }: { file: string }, ctx: HandlerContext) {
  const path = dumpPath(ctx.stateDir, file);
  const existed = existsSync(path);
  if (!ctx.dryRun) {
    rmSync(path, { force: true });
    rmSync(`${path}.json`, { force: true });
  }
  return { file, deleted: existed };
}

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
