/**
 * Which store a command uses: PostgreSQL when `PLANFILE_STORE_URL` (or
 * `store.url` in planfile.config.json) names one, else the files under the
 * state folder, as always.
 */
import { join, resolve } from "node:path";
import { FileRunStore } from "./files.js";
import type { RunStore } from "./types.js";

export interface StoreChoice {
  /** The state folder (default `.planfile`): the file store lives in its `runs/`. */
  stateDir?: string;
  /** A PostgreSQL URL; default PLANFILE_STORE_URL, then the config file's store.url. */
  url?: string;
  env?: Readonly<Record<string, string | undefined>>;
  /** planfile.config.json's `store` section, when the caller has read it. */
  config?: { url?: string; schema?: string };
}

export function storeUrl(choice: StoreChoice): string | undefined {
  const env = choice.env ?? process.env;
  return choice.url || env.PLANFILE_STORE_URL || choice.config?.url || undefined;
}

export async function openRunStore(choice: StoreChoice): Promise<RunStore> {
  const url = storeUrl(choice);
  if (!url) return new FileRunStore(join(resolve(choice.stateDir ?? ".planfile"), "runs"));
  const { PostgresRunStore } = await import("./postgres/store.js");
  const env = choice.env ?? process.env;
  return new PostgresRunStore(url, { schema: env.PLANFILE_STORE_SCHEMA || choice.config?.schema });
}
