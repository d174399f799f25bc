/**
 * The lab's record of itself, `<state>/lab/lab.json`: where each cluster is.
 * The postgres tool pack reads it to resolve a cluster name that
 * planfile.config.json does not define, so a plan can say `cluster: west`.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface LabCluster {
  name: string;
  host: string;
  port: number;
  /** The cluster's folder (data/ and server.log). */
  dir: string;
}

export interface LabState {
  clusters: LabCluster[];
  /** Rows seeded in `orders`, about. 0 until seeded. */
  rows: number;
  seededAt?: string;
  /** Where the service catalog lives (the cut-over point). */
  catalog: { cluster: string; database: string };
}

export const labDir = (stateDir: string) => join(stateDir, "lab");
export const labFile = (stateDir: string) => join(labDir(stateDir), "lab.json");

export function readLabState(stateDir: string): LabState | undefined {
  const file = labFile(stateDir);
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, "utf8")) as LabState;
}

export function writeLabState(stateDir: string, state: LabState): void {
  mkdirSync(labDir(stateDir), { recursive: true });
  const file = labFile(stateDir);
  writeFileSync(`${file}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}
