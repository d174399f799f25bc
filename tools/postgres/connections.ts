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
import { ConfigError, loadConfig } from "../../src/config/load.js";
import { ToolError } from "../../src/registry/tool-error.js";
import type { PostgresSettings } from "../../src/schema/types.generated.js";
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

/** The `postgres` section of planfile.config.json, checked by the shared loader (schemas/config.schema.json). */
function readConfig(): PostgresSettings | undefined {
  try {
    return loadConfig(CONFIG_FILE).postgres;
  } catch (error) {
    // A broken config file is the operator's to fix: the loader's message names file:line:col and the setting.
    const secret = error instanceof ConfigError && error.problems.some((p) => p.key.startsWith("postgres."));
    const hint = secret
      ? "\nfor a postgres connection, set passwordEnv to the name of the environment variable that holds the password"
      : "";
    throw new ToolError("CONFIG_INVALID", `${(error as Error).message}${hint}`, { cause: error });
  }
}

export function resolveConnection(name: string, stateDir: string): Connection {
  const configured = readConfig()?.connections?.[name];
  if (configured) {
    const envName = configured.passwordEnv;
    const password = envName ? process.env[envName] : undefined;
    if (envName && password === undefined)
      throw new ToolError(
        "CONFIG_INVALID",
        `connection ${name} takes its password from $${envName}, which is not set; export it before running`,
      );
    return {
      name,
      host: configured.host ?? "127.0.0.1",
      port: configured.port ?? 5432,
      user: configured.user ?? "postgres",
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
  if (configured) return { cluster: configured.cluster, database: configured.database ?? "catalog" };
  const lab = readLabState(stateDir);
  if (lab) return lab.catalog;
  throw new ToolError(
    "NOT_FOUND",
    `no service catalog configured; set postgres.catalog {cluster, database} in ${CONFIG_FILE}, or start the lab (tsx src/lab.ts up)`,
  );
}
