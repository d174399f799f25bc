/** Where the settings live: the folder a command runs in. A module of its own, so the CLI can look without loading ajv. */
export const CONFIG_FILE = "planfile.config.json";
