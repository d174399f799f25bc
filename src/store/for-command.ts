/** The store a command works on: the config file's `store` section (if any) and PLANFILE_STORE_URL decide. */
import { existsSync } from "node:fs";
import { CONFIG_FILE } from "../config/file.js";
import { openRunStore } from "./open.js";
import type { StoreSettings } from "../schema/types.generated.js";
import type { RunStore } from "./types.js";

export async function storeForCommand(stateDir: string | undefined): Promise<RunStore> {
  let config: StoreSettings | undefined;
  if (existsSync(CONFIG_FILE)) {
    const { loadConfig } = await import("../config/load.js");
    config = loadConfig(CONFIG_FILE).store;
  }
  return openRunStore({ stateDir, config });
}
