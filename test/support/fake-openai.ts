/**
 * An OpenAI-compatible chat endpoint on 127.0.0.1 that tests script: each
 * request takes the next scripted reply (then `fallback`), and every request
 * body is recorded so a test can read what the planner asked.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type Reply =
  /** A normal completion whose message content is `content`. */
  | {
      content: string;
      delayMs?: number;
      usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
    }
  /** An HTTP error, e.g. 429 or 500. */
  | { status: number; message?: string; headers?: Record<string, string> }
  /** Never answers (until the server closes). */
  | { hang: true }
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

async function respond(res: ServerResponse, reply: Reply, request: RecordedRequest, id: number): Promise<void> {
  if ("hang" in reply) return;
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
      { error: { message: reply.message ?? `HTTP ${reply.status}`, type: "server_error" } },
      reply.headers,
    );
  if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
  send(res, 200, {
    id: `chatcmpl-${id}`,
    object: "chat.completion",
    created: 1_700_000_000,
    model: request.model,
    choices: [{ index: 0, finish_reason: "stop", message: { role: "assistant", content: reply.content } }],
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
