/**
 * The lab: two real PostgreSQL clusters on loopback ports, "east" and "west",
 * standing for two regions, with all their data under `<state>/lab/`. `up`
 * creates, starts and seeds them (once); `down` stops them; `status` says
 * where each one is. Nothing here is shared with another state folder, so
 * parallel tests each get their own lab on their own ports.
 */
import { rmSync } from "node:fs";
import { createServer } from "node:net";
import { resolve } from "node:path";
import pg from "pg";
import { requirePgBin } from "./binaries.js";
import { type ClusterPaths, initCluster, isRunning, logFile, startCluster, stopCluster } from "./cluster.js";
import { seedLab } from "./seed.js";
import { type LabCluster, type LabState, labDir, readLabState, writeLabState } from "./state.js";

export { findPgBin, INSTALL_HINT, requirePgBin } from "./binaries.js";
export { APP_ROLE, APP_ROLE_INITIAL_PASSWORD, seedCounts } from "./seed.js";
export { type LabCluster, type LabState, labDir, labFile, readLabState } from "./state.js";

export const CLUSTER_NAMES = ["east", "west"] as const;
export const DEFAULT_PORTS: Record<string, number> = { east: 54331, west: 54332 };
export const DEFAULT_ROWS = 1_000_000;
const HOST = "127.0.0.1";

export interface LabUpOptions {
  stateDir: string;
  /** Ports by cluster name; 0 picks a free one. Defaults: the ports of an existing lab, else 54331/54332. */
  ports?: Partial<Record<string, number>>;
  /** About how many rows to seed into `orders` (default 1,000,000). */
  rows?: number;
  /** Throw the lab away and start over. */
  reset?: boolean;
  onProgress?: (message: string) => void;
}

export interface ClusterStatus extends LabCluster {
  up: boolean;
  url: string;
  databases: { name: string; bytes: number }[];
  log: string;
}

export async function labUp(options: LabUpOptions): Promise<LabState> {
  const bin = requirePgBin();
  const say = options.onProgress ?? (() => {});
  if (options.reset) await labDown({ stateDir: options.stateDir, destroy: true });
  const previous = readLabState(options.stateDir);
  const clusters: LabCluster[] = [];
  for (const name of CLUSTER_NAMES) {
    const wanted =
      options.ports?.[name] ?? previous?.clusters.find((c) => c.name === name)?.port ?? DEFAULT_PORTS[name]!;
    const port = wanted === 0 ? await freePort() : wanted;
    clusters.push({ name, host: HOST, port, dir: resolve(labDir(options.stateDir), name) });
  }
  const state: LabState = {
    clusters,
    rows: previous?.rows ?? 0,
    ...(previous?.seededAt ? { seededAt: previous.seededAt } : {}),
    catalog: { cluster: "east", database: "catalog" },
  };
  for (const c of clusters) {
    const paths = toPaths(options.stateDir, c);
    if (await initCluster(bin, paths)) say(`initialised cluster ${c.name} in ${paths.dir}`);
    await startCluster(bin, paths);
    say(`cluster ${c.name} up on ${c.host}:${c.port}`);
  }
  writeLabState(options.stateDir, state);
  if (!state.seededAt) {
    const rows = options.rows ?? DEFAULT_ROWS;
    const t0 = performance.now();
    await seedLab(clusters[0]!, clusters.slice(1), rows);
    state.rows = rows;
    state.seededAt = new Date().toISOString();
    writeLabState(options.stateDir, state);
    say(
      `seeded orders (~${rows.toLocaleString("en-US")} rows), inventory and catalog on ${clusters[0]!.name} in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
  }
  return state;
}

export async function labDown(options: { stateDir: string; destroy?: boolean }): Promise<string[]> {
  const state = readLabState(options.stateDir);
  const stopped: string[] = [];
  if (state) {
    const bin = requirePgBin();
    for (const c of state.clusters) if (await stopCluster(bin, toPaths(options.stateDir, c))) stopped.push(c.name);
  }
  if (options.destroy) rmSync(labDir(options.stateDir), { recursive: true, force: true });
  return stopped;
}

export async function labStatus(stateDir: string): Promise<ClusterStatus[] | undefined> {
  const state = readLabState(stateDir);
  if (!state) return undefined;
  const bin = requirePgBin();
  const out: ClusterStatus[] = [];
  for (const c of state.clusters) {
    const up = await isRunning(bin, toPaths(stateDir, c));
    out.push({
      ...c,
      up,
      url: `postgres://postgres@${c.host}:${c.port}/postgres`,
      databases: up ? await databases(c) : [],
      log: logFile(toPaths(stateDir, c)),
    });
  }
  return out;
}

async function databases(c: LabCluster): Promise<{ name: string; bytes: number }[]> {
  const client = new pg.Client({ host: c.host, port: c.port, user: "postgres", database: "postgres" });
  await client.connect();
  try {
    const { rows } = await client.query(
      "SELECT datname AS name, pg_database_size(datname)::float8 AS bytes FROM pg_database WHERE NOT datistemplate AND datname <> 'postgres' ORDER BY datname",
    );
    return rows as { name: string; bytes: number }[];
  } finally {
    await client.end();
  }
}

function toPaths(stateDir: string, c: LabCluster): ClusterPaths {
  return { name: c.name, stateDir, dir: c.dir, port: c.port };
}

/** A port nobody listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, HOST, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
