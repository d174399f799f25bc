/**
 * Any OpenAI-compatible chat endpoint through the `openai` SDK. Retries are
 * ours, not the SDK's (`maxRetries: 0`), so backoff is injectable in tests,
 * the elapsed time we report includes it, and every wait stays inside the
 * planning deadline (see deadline.ts): the SDK's own timer covers only the
 * response headers, ours also covers a body that trickles in.
 */
import { CONFIG_FILE, loadConfig, type LlmSettings } from "../config/index.js";
import { AsyncLocalStorage } from "node:async_hooks";
import OpenAI from "openai";
import { type Deadline, sleepUnless, startDeadline } from "./deadline.js";
import { DEFAULT_TIMEOUT_MS } from "./deadline.js";
import { aborted, classify, describe, type Where } from "./llm-failure.js";
import { estimateTokens } from "./prompt.js";
import { LlmError, type Llm, type LlmAnswer, type LlmRequest, type TokenUsage } from "./types.js";

export interface LlmConfig {
  apiKey: string;
  baseURL?: string;
  model: string;
  /** The deadline of one planning call: every request, body, retry and repair inside it. */
  timeoutMs: number;
  /** Further tries after a 408/409/429/5xx or a dropped connection (an unreachable endpoint gets one at most). */
  retries: number;
  /** Delay before retry n (1-based); a Retry-After header wins when shorter than `maxBackoffMs`. */
  backoffMs: (retry: number) => number;
  maxBackoffMs: number;
  /** Ask for a JSON schema response format first (falls back when the endpoint refuses). */
  structured: boolean;
  /** Sees every HTTP exchange with the endpoint: how conversations are recorded for replay. */
  onExchange?: (exchange: HttpExchange) => void;
}

/** One request to the endpoint and what came back, as recordings keep it. */
export interface HttpExchange {
  request: unknown;
  response: { status: number; body: unknown };
}

export const DEFAULT_MODEL = "gpt-4o-mini";
export { CONFIG_FILE };
/**
 * Three minutes: a hosted model answers the ≈2.5k-token prompt in 10–30 s, so
 * this leaves room for two repairs; a 7B model on a laptop CPU (≈10 tokens/s)
 * still writes a 1k-token plan in it. A dead endpoint never waits for it.
 */
export { DEFAULT_TIMEOUT_MS };
/** Pause before the one retry of an endpoint that refused the connection or does not resolve. */
const UNREACHABLE_RETRY_MS = 500;

const defaults = {
  model: DEFAULT_MODEL,
  timeoutMs: DEFAULT_TIMEOUT_MS,
  retries: 3,
  backoffMs: (retry: number) => 500 * 2 ** (retry - 1) * (0.75 + Math.random() / 2),
  maxBackoffMs: 20_000,
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
  // Per request: had headers arrived (so a timeout can say whether the answer had started), and an
  // error body the SDK may drop (vLLM's errors have no `error` key, so the SDK reports "no body").
  const exchange = new AsyncLocalStorage<Exchange>();
  const client = new OpenAI({
    apiKey: cfg.apiKey,
    baseURL: cfg.baseURL,
    // Our deadline aborts first; the SDK's timer would only cover the headers.
    timeout: cfg.timeoutMs + 60_000,
    maxRetries: 0,
    fetch: async (url, init) => {
      const response = await fetch(url, init);
      const seen = exchange.getStore();
      if (seen) {
        seen.started = true;
        if (!response.ok) seen.errorBody = (await response.clone().text()).slice(0, 4096);
      }
      if (cfg.onExchange) record(cfg.onExchange, init?.body, response.clone());
      return response;
    },
  });
  // Once an endpoint refuses a format, later calls of this client skip it.
  let format: LlmAnswer["format"] = cfg.structured ? "json_schema" : "json_object";

  function once(request: LlmRequest, asked: LlmAnswer["format"], signal: AbortSignal) {
    const response_format =
      asked === "json_schema" && request.schema
        ? {
            type: "json_schema" as const,
            json_schema: { name: request.schema.name, schema: request.schema.schema, strict: request.schema.strict },
          }
        : asked === "text"
          ? undefined
          : { type: "json_object" as const };
    return client.chat.completions.create(
      { model: cfg.model, messages: request.messages, temperature: 0, ...(response_format ? { response_format } : {}) },
      { signal },
    );
  }

  async function complete(request: LlmRequest, deadline: Deadline): Promise<LlmAnswer> {
    const t0 = performance.now();
    const where: Where = {
      model: cfg.model,
      baseURL: cfg.baseURL,
      requests: 0,
      estimatedTokens: estimateTokens(request.messages),
    };
    let unreachable = 0;
    for (let retry = 0; ; retry++) {
      where.requests++;
      const seen: Exchange = { started: false };
      try {
        const response = await exchange.run(seen, () => once(request, format, deadline.signal));
        return {
          text: readContent(response, cfg.model),
          model: response.model || cfg.model,
          usage: usageOf(response.usage),
          elapsedMs: performance.now() - t0,
          requests: where.requests,
          format,
        };
      } catch (error) {
        if (error instanceof LlmError) throw error;
        if (deadline.signal.aborted) throw aborted(deadline.signal.reason, where, seen.started, error);
        const failure = classify(error, seen.errorBody);
        if (failure.kind === "bad-request" && format !== "text") {
          // The endpoint does not support this response format: step down and try at once.
          format = format === "json_schema" ? "json_object" : "text";
          retry--;
          continue;
        }
        let wait: number | undefined;
        if (failure.kind === "unreachable" && unreachable++ === 0) wait = UNREACHABLE_RETRY_MS;
        else if (failure.kind === "transient" && retry < cfg.retries)
          wait = Math.min(retryAfterMs(error) ?? cfg.backoffMs(retry + 1), cfg.maxBackoffMs);
        if (wait === undefined) throw describe(failure, error, where, seen.errorBody);
        if (wait >= deadline.remaining()) {
          const last = describe(failure, error, where, seen.errorBody);
          throw new LlmError(
            last.code,
            `${last.message}; no time was left before the ${deadline.ms} ms planning deadline to try again`,
            { cause: error },
          );
        }
        await sleepUnless(wait, deadline.signal).catch((reason: unknown) => {
          throw aborted(reason, where, false, error);
        });
      }
    }
  }

  return {
    model: cfg.model,
    timeoutMs: cfg.timeoutMs,
    async complete(request) {
      if (request.deadline) return complete(request, request.deadline);
      // Called on its own (not by plan()): the configured deadline covers this one call.
      const own = startDeadline(cfg.timeoutMs, request.signal);
      try {
        return await complete(request, own);
      } finally {
        own.dispose();
      }
    },
  };
}

/** Hands a finished exchange to the recorder; a body that never completes is not recorded. */
function record(onExchange: (e: HttpExchange) => void, body: unknown, response: Response): void {
  const parse = (text: string) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  };
  response.text().then(
    (text) =>
      onExchange({
        request: typeof body === "string" ? parse(body) : null,
        response: { status: response.status, body: parse(text) },
      }),
    () => {},
  );
}

interface Exchange {
  started: boolean;
  errorBody?: string;
}

/** The answer's text, or why there is none: a refusal, a cut-off, an empty message. */
function readContent(response: OpenAI.ChatCompletion, model: string): string {
  const choice = response.choices[0];
  const message = choice?.message as (OpenAI.ChatCompletionMessage & { refusal?: string | null }) | undefined;
  const text = message?.content ?? "";
  if (message?.refusal)
    throw new LlmError("LLM_REFUSED", `${model} refused to plan: ${JSON.stringify(message.refusal)}`);
  if (choice?.finish_reason === "content_filter")
    throw new LlmError(
      "LLM_REFUSED",
      `${model}'s answer was withheld by the endpoint's content filter (finish_reason: content_filter)`,
    );
  if (choice?.finish_reason === "length") {
    const used = response.usage?.completion_tokens;
    throw new LlmError(
      "LLM_TRUNCATED",
      `${model}'s answer was cut off at its output limit (finish_reason: length${used ? `, ${used} completion tokens` : ""}) after ${text.length} characters, before the plan was complete; raise the server's output limit (max_tokens, Ollama num_predict) or use a model with a longer output`,
    );
  }
  if (text.trim() === "")
    throw new LlmError(
      "LLM_EMPTY",
      `${model} returned an empty answer (finish_reason: ${choice?.finish_reason ?? "none"})`,
    );
  return text;
}

function usageOf(usage: OpenAI.CompletionUsage | undefined): TokenUsage {
  return {
    promptTokens: usage?.prompt_tokens ?? 0,
    completionTokens: usage?.completion_tokens ?? 0,
    totalTokens: usage?.total_tokens ?? 0,
  };
}

function retryAfterMs(error: unknown): number | undefined {
  if (!(error instanceof OpenAI.APIError)) return undefined;
  const ms = Number(error.headers?.get("retry-after-ms"));
  if (Number.isFinite(ms) && ms > 0) return ms;
  const s = Number(error.headers?.get("retry-after"));
  return Number.isFinite(s) && s > 0 ? s * 1000 : undefined;
}
