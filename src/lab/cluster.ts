/**
 * One PostgreSQL cluster of the lab: a data folder under the state folder, a
 * server on a loopback port. The server refuses to run as root, so when we are
 * root the server programs run as the `postgres` user (`runuser`); the client
 * programs do not care.
 */
import { execFile } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { promisify } from "node:util";
import { userInfo } from "node:os";
import { PlanfileError } from "../errors.js";

const execFileP = promisify(execFile);

export interface ClusterPaths {
  name: string;
  /** The state folder the lab lives in; only folders inside it are ever opened up for the postgres user. */
  stateDir: string;
  /** The cluster's folder: `data/` and `server.log` live in it. */
  dir: string;
  port: number;
}

export const dataDir = (c: ClusterPaths) => join(c.dir, "data");
export const logFile = (c: ClusterPaths) => join(c.dir, "server.log");

const isRoot = () => process.getuid?.() === 0;

/** Runs a server program (initdb, pg_ctl), as `postgres` when we are root. */
async function server(bin: string, program: string, args: string[], cwd: string): Promise<string> {
  const path = join(bin, program);
  const [cmd, argv] = isRoot() ? ["runuser", ["-u", "postgres", "--", path, ...args]] : [path, args];
  try {
    const { stdout, stderr } = await execFileP(cmd, argv, { cwd, maxBuffer: 16 * 1024 * 1024 });
    return stdout + stderr;
  } catch (cause) {
    const e = cause as { stderr?: string; stdout?: string; code?: number };
    throw Object.assign(new Error(`${program} failed (exit ${e.code}): ${(e.stderr || e.stdout || "").trim()}`), {
      exitCode: e.code,
      cause,
    });
  }
}

/** As root, the cluster folder belongs to `postgres`, and every folder above it must let that user through. */
function prepareDir(dir: string, stateDir: string): void {
  mkdirSync(dir, { recursive: true });
  if (!isRoot()) return;
  const pg = postgresIds();
  chownSync(dir, pg.uid, pg.gid);
  for (let d = dirname(resolve(dir)); ; d = dirname(d)) {
    const mode = statSync(d).mode;
    // Only our own state folders are opened up; a closed folder above them is the operator's to decide.
    if ((mode & 0o001) === 0) {
      if (d.startsWith(resolve(stateDir))) chmodSync(d, mode | 0o001);
      else
        throw new PlanfileError(
          "USAGE",
          `the postgres user cannot reach ${dir}: ${d} is not searchable by others; choose a --state-dir under an open folder`,
        );
    }
    if (d === dirname(d)) break;
  }
}

let ids: { uid: number; gid: number } | undefined;
function postgresIds(): { uid: number; gid: number } {
  if (ids) return ids;
  const line = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((l) => l.startsWith("postgres:"));
  if (!line)
    throw new PlanfileError(
      "USAGE",
      `running as ${userInfo().username}, the lab needs a \`postgres\` system user to run the server (the Debian package creates one)`,
    );
  const [, , uid, gid] = line.split(":");
  ids = { uid: Number(uid), gid: Number(gid) };
  return ids;
}

const HBA = `# planfile lab: the superuser is trusted on loopback (a lab, never production);
# every other role must give its password, so a rotated credential is really checked.
local all all trust
host all postgres 127.0.0.1/32 trust
host all all 127.0.0.1/32 scram-sha-256
`;

const CONF = `
# planfile lab
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
max_wal_size = '1GB'
log_min_messages = warning
`;

/** Creates the cluster's data folder unless it exists. Returns true when it was created. */
export async function initCluster(bin: string, c: ClusterPaths): Promise<boolean> {
  if (existsSync(join(dataDir(c), "PG_VERSION"))) return false;
  prepareDir(c.dir, c.stateDir);
  await server(
    bin,
    "initdb",
    ["-D", dataDir(c), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync"],
    c.dir,
  );
  const owner = statSync(dataDir(c));
  const write = (file: string, text: string, append = false) => {
    const path = join(dataDir(c), file);
    writeFileSync(path, append ? readFileSync(path, "utf8") + text : text);
    chownSync(path, owner.uid, owner.gid);
  };
  write("pg_hba.conf", HBA);
  write("postgresql.conf", CONF, true);
  return true;
}

export async function startCluster(bin: string, c: ClusterPaths): Promise<void> {
  if (await isRunning(bin, c)) return;
  await server(
    bin,
    "pg_ctl",
    ["-D", dataDir(c), "-l", logFile(c), "-w", "-t", "60", "-o", `-p ${c.port}`, "start"],
    c.dir,
  ).catch((error: Error) => {
    throw new PlanfileError(
      "USAGE",
      `cluster ${c.name} did not start on 127.0.0.1:${c.port}: ${error.message}; see ${logFile(c)} (is the port taken? choose another with --${c.name}-port)`,
      { cause: error },
    );
  });
}

export async function stopCluster(bin: string, c: ClusterPaths): Promise<boolean> {
  if (!(await isRunning(bin, c))) return false;
  await server(bin, "pg_ctl", ["-D", dataDir(c), "-m", "fast", "-w", "-t", "60", "stop"], c.dir);
  return true;
}

export async function isRunning(bin: string, c: ClusterPaths): Promise<boolean> {
  if (!existsSync(join(dataDir(c), "PG_VERSION"))) return false;
  try {
    await server(bin, "pg_ctl", ["-D", dataDir(c), "status"], c.dir);
    return true;
  } catch (error) {
    // pg_ctl status: 3 = not running, 4 = no accessible data folder.
    if ((error as { exitCode?: number }).exitCode === 3 || (error as { exitCode?: number }).exitCode === 4)
      return false;
    throw error;
  }
}
