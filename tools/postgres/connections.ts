/**
 * Where a cluster is. A plan names clusters (`cluster: west`); this module
 * turns a name into host, port and user. Sources, first match wins:
 *
 * 1. `planfile.config.json` (in the working folder):
 *    `{"postgres": {"connections": {"west": {"host", "port", "user", "passwordEnv"}}, "catalog": {...}}}`.
 *    A password is never in the file: `passwordEnv` names the environment
 *    variable that holds it.
 * 2. The lab (`<state>/lab/lab.json`), so the lab works with no configuration.
 */
import { existsSync, readFileSync } from "node:fs";
import { ToolError } from "../../src/registry/tool-error.js";
import { readLabState } from "../../src/lab/state.js";

export const CONFIG_FILE = "planfile.config.json";

export interface Connection {
  name: string;
  host: string;
  port: number;
  user: string;
  /** Resolved from the environment at call time; never stored. */
  password?: string;
  /** Where it came from, for messages. */
  source: string;
}

export interface CatalogLocation {
  cluster: string;
  database: string;
}

interface ConnectionConfig {
  host?: unknown;
  port?: unknown;
  user?: unknown;
  passwordEnv?: unknown;
  [key: string]: unknown;
}

interface PostgresConfig {
  connections?: Record<string, ConnectionConfig>;
  catalog?: { cluster?: unknown; database?: unknown };
}

const ALLOWED = new Set(["host", "port", "user", "passwordEnv"]);

function readConfig(file = CONFIG_FILE): PostgresConfig | undefined {
  if (!existsSync(file)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (cause) {
    throw new ToolError("CONFIG_INVALID", `${file} is not valid JSON (${(cause as Error).message}); fix it`, { cause });
  }
  const pgConfig = (parsed as { postgres?: PostgresConfig }).postgres;
  if (pgConfig === undefined) return undefined;
  for (const [name, c] of Object.entries(pgConfig.connections ?? {})) {
    for (const key of Object.keys(c)) {
      if (key === "password")
        throw new ToolError(
          "CONFIG_INVALID",
          `${file}: postgres.connections.${name}.password is refused: passwords do not belong in a file; set passwordEnv to the name of an environment variable that holds it`,
        );
      if (!ALLOWED.has(key))
        throw new ToolError(
          "CONFIG_INVALID",
          `${file}: postgres.connections.${name}.${key} is not a known setting; allowed: ${[...ALLOWED].join(", ")}`,
        );
    }
  }
  return pgConfig;
}

export function resolveConnection(name: string, stateDir: string): Connection {
  const configured = readConfig()?.connections?.[name];
  if (configured) {
    const envName = typeof configured.passwordEnv === "string" ? configured.passwordEnv : undefined;
    const password = envName ? process.env[envName] : undefined;
    if (envName && password === undefined)
      throw new ToolError(
        "CONFIG_INVALID",
        `connection ${name} takes its password from $${envName}, which is not set; export it before running`,
      );
    return {
      name,
      host: typeof configured.host === "string" ? configured.host : "127.0.0.1",
      port: typeof configured.port === "number" ? configured.port : 5432,
      user: typeof configured.user === "string" ? configured.user : "postgres",
      ...(password !== undefined ? { password } : {}),
      source: CONFIG_FILE,
    };
  }
  const lab = readLabState(stateDir)?.clusters.find((c) => c.name === name);
  if (lab) return { name, host: lab.host, port: lab.port, user: "postgres", source: "lab" };
  throw new ToolError(
    "NOT_FOUND",
    `no PostgreSQL connection named \`${name}\`; known: ${knownConnections(stateDir).join(", ") || "none"}. Define it under postgres.connections in ${CONFIG_FILE}, or start the lab (tsx src/lab.ts up)`,
  );
}

export function knownConnections(stateDir: string): string[] {
  const names = new Set(Object.keys(readConfig()?.connections ?? {}));
  for (const c of readLabState(stateDir)?.clusters ?? []) names.add(c.name);
  return [...names].sort();
}

/** The service catalog clients read to find a database (see catalog.ts). */
export function catalogLocation(stateDir: string): CatalogLocation {
  const configured = readConfig()?.catalog;
  if (configured && typeof configured.cluster === "string")
    return {
      cluster: configured.cluster,
      database: typeof configured.database === "string" ? configured.database : "catalog",
    };
  const lab = readLabState(stateDir);
  if (lab) return lab.catalog;
  throw new ToolError(
    "NOT_FOUND",
    `no service catalog configured; set postgres.catalog {cluster, database} in ${CONFIG_FILE}, or start the lab (tsx src/lab.ts up)`,
  );
}
