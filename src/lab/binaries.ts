/**
 * Where the PostgreSQL programs are. Debian puts them outside PATH
 * (/usr/lib/postgresql/<major>/bin); Homebrew and Postgres.app put them on it.
 * PLANFILE_PG_BIN overrides both.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { PlanfileError } from "../errors.js";

export const INSTALL_HINT =
  "install PostgreSQL (Debian/Ubuntu: `apt-get install -y postgresql`; macOS: `brew install postgresql@15`) or set PLANFILE_PG_BIN to the folder holding initdb, pg_ctl, pg_dump and pg_restore";

const NEEDED = ["initdb", "pg_ctl", "pg_dump", "pg_restore"] as const;

/** The folder of the PostgreSQL server and client programs, or undefined when they are not installed. */
export function findPgBin(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates: string[] = [];
  if (env.PLANFILE_PG_BIN) return hasAll(env.PLANFILE_PG_BIN) ? env.PLANFILE_PG_BIN : undefined;
  const debian = "/usr/lib/postgresql";
  if (existsSync(debian)) {
    const majors = readdirSync(debian)
      .filter((d) => /^\d+$/.test(d))
      .sort((a, b) => Number(b) - Number(a));
    candidates.push(...majors.map((m) => join(debian, m, "bin")));
  }
  try {
    candidates.push(
      execFileSync("pg_config", ["--bindir"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim(),
    );
  } catch {
    // pg_config is optional: it is only one more place to look.
  }
  for (const dir of (env.PATH ?? "").split(":")) if (dir) candidates.push(dir);
  return candidates.find(hasAll);
}

function hasAll(dir: string): boolean {
  return NEEDED.every((p) => existsSync(join(dir, p)));
}

/** Like findPgBin, but a missing installation is an error that says how to install one. */
export function requirePgBin(env: NodeJS.ProcessEnv = process.env): string {
  const dir = findPgBin(env);
  if (!dir) throw new PlanfileError("USAGE", `PostgreSQL programs not found; ${INSTALL_HINT}`);
  return dir;
}
