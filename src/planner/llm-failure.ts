/**
 * What went wrong with a model request, in words that fit the cause: a
 * refused connection is never told to raise a timeout, a context-length 400
 * is never retried as a response-format problem.
 */
import OpenAI from "openai";
import { DeadlineExceeded } from "./deadline.js";
import { LlmError } from "./types.js";

export type Failure =
  /** Nothing listens, or the host name does not resolve: retry once at most. */
  | { kind: "unreachable"; code: string }
  /** No TCP connection within the connect timeout: waiting again costs as long again. */
  | { kind: "connect-timeout"; code: string }
  | { kind: "context-length"; limit?: number; promptTokens?: number }
  /** Worth another try after a pause: 408/409/429/5xx, a reset connection. */
  | { kind: "transient" }
  /** A 400 that may be the response format this endpoint does not support. */
  | { kind: "bad-request" }
  | { kind: "fatal" };

const UNREACHABLE = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "EADDRNOTAVAIL"]);
const CONNECT_TIMEOUT = new Set(["UND_ERR_CONNECT_TIMEOUT", "ETIMEDOUT"]);

export function classify(error: unknown, body?: string): Failure {
  if (error instanceof OpenAI.APIConnectionError) {
    const code = networkCode(error);
    if (code && UNREACHABLE.has(code)) return { kind: "unreachable", code };
    if (code && CONNECT_TIMEOUT.has(code)) return { kind: "connect-timeout", code };
    return { kind: "transient" };
  }
  if (error instanceof OpenAI.APIError) {
    const context = contextLength(error, body);
    if (context) return context;
    const status = error.status ?? 0;
    if (status === 408 || status === 409 || status === 429 || status >= 500) return { kind: "transient" };
    if (status === 400) return { kind: "bad-request" };
  }
  return { kind: "fatal" };
}

/** The errno-style code somewhere in an error's cause chain (fetch wraps it twice, dual-stack in an AggregateError). */
export function networkCode(error: unknown, depth = 0): string | undefined {
  if (!error || typeof error !== "object" || depth > 5) return undefined;
  const e = error as { code?: unknown; cause?: unknown; errors?: unknown[] };
  if (typeof e.code === "string" && /^[A-Z_]+$/.test(e.code)) return e.code;
  return (
    networkCode(e.cause, depth + 1) ??
    (Array.isArray(e.errors) ? e.errors.map((x) => networkCode(x, depth + 1)).find(Boolean) : undefined)
  );
}

/**
 * Context-length refusals as OpenAI (`context_length_exceeded`), vLLM
 * ("maximum context length is N tokens … you requested M"), llama.cpp
 * (`exceed_context_size_error`, `n_ctx`, `n_prompt_tokens`) and Ollama
 * ("prompt too long", "exceeds the context length") word them.
 */
export function contextLength(error: InstanceType<typeof OpenAI.APIError>, raw?: string): Failure | undefined {
  const parsed = parseJson(raw);
  const body = (error.error ?? parsed?.error ?? parsed ?? {}) as Record<string, unknown>;
  const text = `${error.message} ${String(body.message ?? "")} ${raw ?? ""}`;
  const code = `${String(error.code ?? "")} ${String(error.type ?? "")} ${String(body.type ?? "")}`;
  const matches =
    /context_length_exceeded|exceed_context_size/.test(code) ||
    /context (?:length|size|window)|maximum context|prompt (?:is )?too long|too many tokens|exceeds? the (?:available )?context/i.test(
      text,
    );
  if (!matches || (error.status !== undefined && error.status !== 400 && error.status !== 413)) return undefined;
  const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
  const first = (re: RegExp) => {
    const m = re.exec(text);
    return m ? Number(m[1]) : undefined;
  };
  return {
    kind: "context-length",
    limit:
      num(body.n_ctx) ??
      first(/maximum context length is (\d+)/i) ??
      first(/context (?:length|size|window)(?: of| is)? (\d+)/i),
    promptTokens:
      num(body.n_prompt_tokens) ??
      first(/your messages resulted in (\d+) tokens/i) ??
      first(/\((\d+) in the messages/i) ??
      first(/request has (\d+) input tokens/i),
  };
}

function parseJson(text: string | undefined): Record<string, unknown> | undefined {
  if (!text) return undefined;
  try {
    const value = JSON.parse(text) as unknown;
    return value && typeof value === "object" ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The endpoint's own words: the SDK's message, or the raw body when the SDK found none in it. */
function serverSays(error: InstanceType<typeof OpenAI.APIError>, raw: string | undefined): string {
  if (!/status code \(no body\)$/.test(error.message) || !raw) return error.message;
  const parsed = parseJson(raw);
  const message = parsed?.message ?? (parsed?.error as { message?: unknown } | undefined)?.message;
  return `${error.status} ${typeof message === "string" ? message : raw.slice(0, 300)}`;
}

export interface Where {
  model: string;
  baseURL?: string;
  requests: number;
  /** The prompt's size as planfile estimates it (chars / 4). */
  estimatedTokens: number;
}

const at = (w: Where) => `${w.model} at ${w.baseURL ?? "api.openai.com"}`;
const tries = (w: Where) => `after ${w.requests} request${w.requests === 1 ? "" : "s"}`;

/** The deadline (or the caller) aborted the request: the message says which, and whether the answer had started. */
export function aborted(reason: unknown, w: Where, started: boolean, cause: unknown): LlmError {
  if (reason instanceof DeadlineExceeded) {
    const phase = started
      ? "its answer started but was still arriving"
      : "no answer had started (the request was sent, no response headers came back)";
    return new LlmError(
      "LLM_TIMEOUT",
      `${at(w)} did not finish within the ${reason.ms} ms planning deadline: ${phase} (${tries(w)}); if the model is slow but working, raise --timeout (or PLANFILE_LLM_TIMEOUT_MS); if not, check the server`,
      { cause },
    );
  }
  return new LlmError("LLM_UNAVAILABLE", `the request to ${at(w)} was cancelled (${tries(w)})`, { cause });
}

export function describe(failure: Failure, error: unknown, w: Where, raw?: string): LlmError {
  const host = w.baseURL ?? "https://api.openai.com/v1";
  switch (failure.kind) {
    case "unreachable": {
      const why =
        failure.code === "ECONNREFUSED"
          ? "connection refused: nothing listens there"
          : failure.code === "ENOTFOUND" || failure.code === "EAI_AGAIN"
            ? "the host name does not resolve"
            : `the network cannot reach it (${failure.code})`;
      return new LlmError(
        "LLM_UNAVAILABLE",
        `cannot reach ${at(w)}: ${why} (${tries(w)}); start the model server, or fix OPENAI_BASE_URL (now ${host})`,
        { cause: error },
      );
    }
    case "connect-timeout":
      return new LlmError(
        "LLM_UNAVAILABLE",
        `cannot connect to ${at(w)}: the host did not accept a connection in time (${failure.code}, ${tries(w)}); check the address in OPENAI_BASE_URL and that a firewall lets it through`,
        { cause: error },
      );
    case "context-length": {
      const prompt = failure.promptTokens
        ? `the prompt is ${failure.promptTokens} tokens as the server counts them (≈${w.estimatedTokens} by planfile's chars/4 estimate)`
        : `the prompt is ≈${w.estimatedTokens} tokens (chars/4)`;
      const limit = failure.limit
        ? `the model's context is ${failure.limit} tokens`
        : "the server did not say its limit";
      return new LlmError(
        "LLM_CONTEXT_LENGTH",
        `${at(w)} refused the prompt as longer than its context: ${prompt}, ${limit}. Give the server a larger context (Ollama: num_ctx, llama.cpp: --ctx-size, vLLM: --max-model-len) or use a model with a longer one`,
        { cause: error },
      );
    }
    default:
      break;
  }
  if (error instanceof OpenAI.AuthenticationError || error instanceof OpenAI.PermissionDeniedError)
    return new LlmError("LLM_REJECTED", `${at(w)} refused the key (${error.status}); check OPENAI_API_KEY`, {
      cause: error,
    });
  if (error instanceof OpenAI.NotFoundError)
    return new LlmError(
      "LLM_REJECTED",
      `${at(w)} answered 404: ${serverSays(error, raw)}; check the model name (PLANFILE_MODEL, --model) and that OPENAI_BASE_URL ends in /v1`,
      { cause: error },
    );
  if (error instanceof OpenAI.APIError && error.status !== undefined) {
    const code = error.status === 429 || error.status >= 500 ? "LLM_UNAVAILABLE" : "LLM_REJECTED";
    return new LlmError(code, `${at(w)} answered HTTP ${error.status} ${tries(w)}: ${serverSays(error, raw)}`, {
      cause: error,
    });
  }
  return new LlmError("LLM_UNAVAILABLE", `${at(w)} failed ${tries(w)}: ${(error as Error).message}`, {
    cause: error,
  });
}
