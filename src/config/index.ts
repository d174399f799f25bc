export { CONFIG_FILE, ConfigError, loadConfig, type ConfigProblem } from "./load.js";
export type { LlmSettings, PlanfileConfig } from "../schema/types.generated.js";
