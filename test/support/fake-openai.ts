/**
 * An OpenAI-compatible chat endpoint on 127.0.0.1 that tests script: each
 * request takes the next scripted reply (then `fallback`), and every request
 * body is recorded so a test can read what the planner asked. Replies can
 * also misbehave the ways real servers do: hang, trickle, refuse, cut off.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type Reply =
  /** A normal completion whose message content is `content`. */
  | {
      content: string;
      delayMs?: number;
      usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
      /** Default `stop`; `length` is an answer cut at the output limit. */
      finishReason?: "stop" | "length" | "content_filter";
      /** A structured-outputs refusal (the content is then usually null). */
      refusal?: string;
    }
  /** An HTTP error, e.g. 429 or 500; `body` replaces the default `{error: {message}}`. */
  | { status: number; message?: string; headers?: Record<string, string>; body?: unknown }
  /** Never answers (until the server closes). */
  | { hang: true }
  /** Sends 200 and headers at once, then one byte of body every `everyMs` for ever. */
  | { trickle: true; everyMs: number }
  /** 400 when the request asks for a json_schema response format; otherwise `then`. */
  | { rejectSchema: true; then: Reply };

export interface RecordedRequest {
  model: string;
  messages: { role: string; content: string }[];
  response_format?: { type: string; json_schema?: { name: string; schema: unknown } };
}

export interface FakeOpenAi {
  /** Base URL to give the SDK, ending in /v1. */
  url: string;
  requests: RecordedRequest[];
  /** Queues replies, answered in order. */
  reply(...replies: Reply[]): void;
  /** Used when the queue is empty (default: 500). */
  fallback: Reply;
  close(): Promise<void>;
}

export const answer = (value: unknown, delayMs?: number): Reply => ({
  content: typeof value === "string" ? value : JSON.stringify(value),
  delayMs,
});

export async function startFakeOpenAi(): Promise<FakeOpenAi> {
  const queue: Reply[] = [];
  const requests: RecordedRequest[] = [];
  const fake = {
    url: "",
    requests,
    reply: (...replies: Reply[]) => void queue.push(...replies),
    fallback: { status: 500, message: "the fake server has no scripted reply left" } as Reply,
    close: async () => {},
  };
  let id = 0;
  const server: Server = createServer(async (req, res) => {
    const body = await readBody(req);
    if (req.method !== "POST" || req.url !== "/v1/chat/completions")
      return send(res, 404, { error: { message: `no route ${req.method} ${req.url}` } });
    const parsed = JSON.parse(body) as RecordedRequest;
    requests.push(parsed);
    await respond(res, queue.shift() ?? fake.fallback, parsed, ++id);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  fake.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return fake;
}

/** A base URL on 127.0.0.1 where nothing listens: a connection there is refused at once. */
export async function refusedUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/v1`;
}

/** The 400 each server family sends for a prompt longer than its context, as they word it. */
export const contextLengthError = {
  openai: {
    status: 400,
    body: {
      error: {
        message:
          "This model's maximum context length is 8192 tokens. However, your messages resulted in 9105 tokens. Please reduce the length of the messages.",
        type: "invalid_request_error",
        param: "messages",
        code: "context_length_exceeded",
      },
    },
  },
  vllm: {
    status: 400,
    body: {
      object: "error",
      message:
        "This model's maximum context length is 4096 tokens. However, you requested 5120 tokens (4096 in the messages, 1024 in the completion). Please reduce the length of the messages or completion.",
      type: "BadRequestError",
      param: null,
      code: 400,
    },
  },
  llamacpp: {
    status: 400,
    body: {
      error: {
        code: 400,
        message: "the request exceeds the available context size, try increasing it",
        type: "exceed_context_size_error",
        n_prompt_tokens: 3012,
        n_ctx: 2048,
      },
    },
  },
  ollama: {
    status: 400,
    body: { error: { message: "prompt too long; exceeded max context length by 212 tokens", type: "api_error" } },
  },
} satisfies Record<string, Reply>;

async function respond(res: ServerResponse, reply: Reply, request: RecordedRequest, id: number): Promise<void> {
  if ("hang" in reply) return;
  if ("trickle" in reply) {
    res.writeHead(200, { "content-type": "application/json" });
    res.write("{");
    const timer = setInterval(() => res.write(" "), reply.everyMs);
    res.on("close", () => clearInterval(timer));
    return;
  }
  if ("rejectSchema" in reply) {
    if (request.response_format?.type === "json_schema")
      return send(res, 400, {
        error: { message: "response_format json_schema is not supported by this model", type: "invalid_request_error" },
      });
    return respond(res, reply.then, request, id);
  }
  if ("status" in reply)
    return send(
      res,
      reply.status,
      reply.body ?? { error: { message: reply.message ?? `HTTP ${reply.status}`, type: "server_error" } },
      reply.headers,
    );
  if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
  send(res, 200, {
    id: `chatcmpl-${id}`,
    object: "chat.completion",
    created: 1_700_000_000,
    model: request.model,
    choices: [
      {
        index: 0,
        finish_reason: reply.finishReason ?? "stop",
        message: {
          role: "assistant",
          content: reply.refusal ? null : reply.content,
          ...(reply.refusal ? { refusal: reply.refusal } : {}),
        },
      },
    ],
    usage: reply.usage ?? { prompt_tokens: 100, completion_tokens: 50, total_tokens: 150 },
  });
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.destroyed) return;
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = "";
    req.setEncoding("utf8");
    req.on("data", (c: string) => (data += c));
    req.on("end", () => resolve(data));
    req.on("error", reject);
  });
}
