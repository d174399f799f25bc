/**
 * Any OpenAI-compatible chat endpoint through the `openai` SDK. Retries are
 * ours, not the SDK's (`maxRetries: 0`), so backoff is injectable in tests
 * and the elapsed time we report includes it.
 */
import OpenAI from "openai";
import { CONFIG_FILE, loadConfig, type LlmSettings } from "../config/index.js";
import { LlmError, type Llm, type LlmAnswer, type LlmRequest, type TokenUsage } from "./types.js";

export interface LlmConfig {
  apiKey: string;
  baseURL?: string;
  model: string;
  /** Per HTTP request. */
  timeoutMs: number;
  /** Further tries after a 408/409/429/5xx, a connection error or a timeout. */
  retries: number;
  /** Delay before retry n (1-based); a Retry-After header wins when shorter than `maxBackoffMs`. */
  backoffMs: (retry: number) => number;
  maxBackoffMs: number;
  sleep: (ms: number) => Promise<void>;
  /** Ask for a JSON schema response format first (falls back when the endpoint refuses). */
  structured: boolean;
}

export const DEFAULT_MODEL = "gpt-4o-mini";
export { CONFIG_FILE };

const defaults = {
  model: DEFAULT_MODEL,
  timeoutMs: 60_000,
  retries: 3,
  backoffMs: (retry: number) => 500 * 2 ** (retry - 1) * (0.75 + Math.random() / 2),
  maxBackoffMs: 20_000,
  sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)),
  structured: true,
};

/**
 * The LLM configuration from the environment and an optional
 * `planfile.config.json` (`{"llm": {"baseURL", "model", "timeoutMs", "retries"}}`;
 * never a key). Undefined when neither a key nor a base URL is set: then the
 * planner works offline.
 */
export function llmConfigFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  configFile = CONFIG_FILE,
  overrides: Partial<LlmConfig> = {},
): LlmConfig | undefined {
  const file = readConfigFile(configFile);
  const baseURL = env.OPENAI_BASE_URL || file.baseURL;
  const apiKey = env.OPENAI_API_KEY;
  if (!apiKey && !baseURL) return undefined;
  return {
    ...defaults,
    // A local endpoint (ollama, vLLM) often needs no key, but the SDK insists on one.
    apiKey: apiKey || "not-needed",
    baseURL,
    model: env.PLANFILE_MODEL || file.model || defaults.model,
    timeoutMs: Number(env.PLANFILE_LLM_TIMEOUT_MS) || file.timeoutMs || defaults.timeoutMs,
    retries: file.retries ?? defaults.retries,
    ...overrides,
  };
}

/** The `llm` section of the config file, checked against schemas/config.schema.json (a ConfigError otherwise). */
function readConfigFile(file: string): LlmSettings {
  return loadConfig(file).llm ?? {};
}

export function createOpenAiLlm(config: Partial<LlmConfig> & Pick<LlmConfig, "apiKey">): Llm {
  const cfg: LlmConfig = { ...defaults, ...config };
  const client = new OpenAI({ apiKey: cfg.apiKey, baseURL: cfg.baseURL, timeout: cfg.timeoutMs, maxRetries: 0 });
  // Once an endpoint refuses a format, later calls of this client skip it.
  let format: LlmAnswer["format"] = cfg.structured ? "json_schema" : "json_object";

  async function once(request: LlmRequest, asked: LlmAnswer["format"]) {
    const response_format =
      asked === "json_schema" && request.schema
        ? {
            type: "json_schema" as const,
            json_schema: { name: request.schema.name, schema: request.schema.schema, strict: false },
          }
        : asked === "text"
          ? undefined
          : { type: "json_object" as const };
    return client.chat.completions.create(
      { model: cfg.model, messages: request.messages, temperature: 0, ...(response_format ? { response_format } : {}) },
      { signal: request.signal },
    );
  }

  return {
    model: cfg.model,
    async complete(request) {
      const t0 = performance.now();
      let requests = 0;
      for (let retry = 0; ; retry++) {
        requests++;
        try {
          const response = await once(request, format);
          const text = response.choices[0]?.message?.content ?? "";
          if (text.trim() === "")
            throw new LlmError(
              "LLM_EMPTY",
              `${cfg.model} returned an empty answer (finish_reason: ${response.choices[0]?.finish_reason ?? "none"})`,
            );
          return {
            text,
            model: response.model || cfg.model,
            usage: usageOf(response.usage),
            elapsedMs: performance.now() - t0,
            requests,
            format,
          };
        } catch (error) {
          if (error instanceof OpenAI.BadRequestError && format !== "text") {
            // The endpoint does not support this response format: step down and try at once.
            format = format === "json_schema" ? "json_object" : "text";
            retry--;
            continue;
          }
          const transient = isTransient(error);
          if (!transient || retry >= cfg.retries) throw asLlmError(error, cfg, requests);
          await cfg.sleep(Math.min(retryAfterMs(error) ?? cfg.backoffMs(retry + 1), cfg.maxBackoffMs));
        }
      }
    },
  };
}

function usageOf(usage: OpenAI.CompletionUsage | undefined): TokenUsage {
  return {
    promptTokens: usage?.prompt_tokens ?? 0,
    completionTokens: usage?.completion_tokens ?? 0,
    totalTokens: usage?.total_tokens ?? 0,
  };
}

function isTransient(error: unknown): boolean {
  if (error instanceof OpenAI.APIConnectionError) return true; // includes APIConnectionTimeoutError
  if (error instanceof OpenAI.APIError)
    return error.status === 408 || error.status === 409 || error.status === 429 || (error.status ?? 0) >= 500;
  return false;
}

function retryAfterMs(error: unknown): number | undefined {
  if (!(error instanceof OpenAI.APIError)) return undefined;
  const ms = Number(error.headers?.get("retry-after-ms"));
  if (Number.isFinite(ms) && ms > 0) return ms;
  const s = Number(error.headers?.get("retry-after"));
  return Number.isFinite(s) && s > 0 ? s * 1000 : undefined;
}

function asLlmError(error: unknown, cfg: LlmConfig, requests: number): LlmError {
  if (error instanceof LlmError) return error;
  const where = `${cfg.model} at ${cfg.baseURL ?? "api.openai.com"}`;
  const tries = `after ${requests} request${requests === 1 ? "" : "s"}`;
  if (error instanceof OpenAI.APIConnectionTimeoutError)
    return new LlmError(
      "LLM_TIMEOUT",
      `${where} did not answer within ${cfg.timeoutMs} ms (${tries}); raise PLANFILE_LLM_TIMEOUT_MS or check the endpoint`,
      { cause: error },
    );
  if (error instanceof OpenAI.APIConnectionError)
    return new LlmError(
      "LLM_UNAVAILABLE",
      `cannot reach ${where} (${tries}): ${error.message}; check OPENAI_BASE_URL`,
      { cause: error },
    );
  if (error instanceof OpenAI.AuthenticationError || error instanceof OpenAI.PermissionDeniedError)
    return new LlmError("LLM_REJECTED", `${where} refused the key (${error.status}); check OPENAI_API_KEY`, {
      cause: error,
    });
  if (error instanceof OpenAI.APIError) {
    const code = error.status === 429 || (error.status ?? 0) >= 500 ? "LLM_UNAVAILABLE" : "LLM_REJECTED";
    return new LlmError(code, `${where} answered HTTP ${error.status} ${tries}: ${error.message}`, { cause: error });
  }
  return new LlmError("LLM_UNAVAILABLE", `${where} failed: ${(error as Error).message}`, { cause: error });
}
