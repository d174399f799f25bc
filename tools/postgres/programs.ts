/**
 * The client programs pg_dump and pg_restore, spawned without a shell and with an environment of their own:
 * the password reaches them through PGPASSWORD, never argv, and nothing else of planfile's environment does.
 */
import { spawn } from "node:child_process";
import { createReadStream, statSync } from "node:fs";
import { join } from "node:path";
import { findPgBin, INSTALL_HINT } from "../../src/lab/binaries.js";
import { ToolError } from "../../src/registry/tool-error.js";
import type { Connection } from "./connections.js";

export function program(name: "pg_dump" | "pg_restore"): string {
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

export interface Spawned {
  code: number | null;
  stderr: string;
}

/** Runs a client program; `stdinFile` is streamed to its stdin (so the program loses its input if planfile dies). */
export function runProgram(
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
