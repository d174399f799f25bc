import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Registry } from "../../../src/registry/index.js";
import { loadFixture } from "./fixture.js";
import { failure } from "./failure.js";

const TOKEN = "tok-9f8e7d6c5b";
const secrets = { API_TOKEN: TOKEN };
let dir: string;
let server: Server;
let registry: Registry;
const hanging = new Set<ServerResponse>();
const landed: string[] = [];

function route(req: IncomingMessage, res: ServerResponse, body: string): void {
  const url = new URL(req.url!, "http://x");
  const json = (status: number, value: unknown) =>
    void res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(value));
  const status = /^\/api\/status\/(\d+)$/.exec(url.pathname);
  if (status) return json(Number(status[1]), { error: "as asked", echoedAuth: req.headers.authorization });
  if (url.pathname === "/api/text")
    return void res.writeHead(200, { "content-type": "text/plain" }).end("hello, not json");
  if (url.pathname === "/api/list") return json(200, [1, 2]);
  if (url.pathname === "/api/hang") return void hanging.add(res);
  if (url.pathname === "/api/redirect")
    return void res.writeHead(302, { location: `http://${req.headers.host}/api/landed` }).end();
  if (url.pathname === "/api/landed")
    return void (landed.push(String(req.headers.authorization)), json(200, { landed: true }));
  if (url.pathname === "/api/huge") {
    res.writeHead(200, { "content-type": "application/json" });
    const chunk = "x".repeat(1024 * 1024);
    res.write(`{"pad":"`);
    for (let i = 0; i < 11; i++) res.write(chunk);
    return void res.end(`"}`);
  }
  return json(200, { method: req.method, url: req.url, headers: req.headers, body: body ? JSON.parse(body) : null });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "planfile-http-"));
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c));
    req.on("end", () => route(req, res, body));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  registry = new Registry(dir);
  await loadFixture(registry, "http", dir, { BASE_URL: `http://127.0.0.1:${port}` });
});
afterAll(async () => {
  await registry.close();
  for (const res of hanging) res.destroy();
  await new Promise((r) => server.close(r));
  await rm(dir, { recursive: true, force: true });
});

describe("http kind", () => {
  it("renders a GET template with args percent-encoded into the URL and secrets in headers", async () => {
    const out = (await registry.call(
      "kh.items.get",
      { name: "a/b c", view: "x&y=1" },
      { secrets, idempotencyKey: "run1:step1" },
    )) as {
      url: string;
      headers: Record<string, string>;
    };
    expect(out.url).toBe("/api/items/a%2Fb%20c?view=x%26y%3D1");
    expect(out.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(out.headers["idempotency-key"]).toBe("run1:step1");
  });

  it("renders a POST body template, keeping the type of whole references", async () => {
    const out = (await registry.call("kh.items.create", { name: "web", size: 3 }, { secrets })) as {
      body: unknown;
      headers: Record<string, string>;
    };
    expect(out.body).toEqual({ name: "web", size: 3, tags: [null, "fixed"], label: "item web" });
    expect(out.headers["content-type"]).toBe("application/json");
    expect(out.headers["x-request-source"]).toBe("planfile web");
  });

  it("sends the args as the JSON body when a body-carrying method has no body template", async () => {
    const out = (await registry.call("kh.items.put", { id: 7, tags: ["a"] }, { secrets })) as {
      method: string;
      body: unknown;
    };
    expect(out).toMatchObject({ method: "PUT", body: { id: 7, tags: ["a"] } });
  });

  it.each([429, 500, 503])("reports %i as a transient tool error", async (code) => {
    const error = await failure(registry.call("kh.status", { code }, { secrets }));
    expect(error.code).toBe("TOOL_FAILED");
    expect(error.details.toolCode).toBe(`HTTP_${code}`);
    expect(error.transient).toBe(true);
  });

  it("reports 404 as a permanent tool error", async () => {
    const error = await failure(registry.call("kh.status", { code: 404 }, { secrets }));
    expect(error.details.toolCode).toBe("HTTP_404");
    expect(error.transient).toBe(false);
  });

  it("never shows a secret in an error, even when the server echoes it back", async () => {
    const error = await failure(registry.call("kh.status", { code: 500 }, { secrets }));
    expect(error.message).toContain("Bearer ***");
    expect(JSON.stringify({ message: error.message, cause: String((error.cause as Error)?.message) })).not.toContain(
      TOKEN,
    );
  });

  it("names a missing secret before sending anything", async () => {
    const error = await failure(registry.call("kh.items.get", { name: "a", view: "b" }));
    expect(error.details.toolCode).toBe("SECRET_MISSING");
    expect(error.message).toContain("API_TOKEN");
  });

  it("reports a body that is not JSON as a clear error", async () => {
    const error = await failure(registry.call("kh.text", {}, { secrets }));
    expect(error.details.toolCode).toBe("RESPONSE_NOT_JSON");
    expect(error.message).toContain("text/plain");
  });

  it("does not follow a redirect, which could carry the secret headers elsewhere", async () => {
    const error = await failure(registry.call("kh.redirect", {}, { secrets }));
    expect(error.details.toolCode).toBe("HTTP_REDIRECT");
    expect(error.message).toMatch(/302 redirecting to http:\/\/127\.0\.0\.1:\d+\/api\/landed/);
    expect(landed).toEqual([]);
  });

  it("refuses a response body over 10 MiB, even without a content-length", async () => {
    const error = await failure(registry.call("kh.huge", {}, { secrets }));
    expect(error.details.toolCode).toBe("RESPONSE_TOO_LARGE");
  });

  it("wraps a JSON value that is not an object as {value}", async () => {
    expect(await registry.call("kh.list", {}, { secrets })).toEqual({ value: [1, 2] });
  });

  it("ends a request the server never answers as TOOL_TIMEOUT", async () => {
    const started = performance.now();
    const error = await failure(registry.call("kh.hang", {}, { secrets }));
    expect(error.code).toBe("TOOL_TIMEOUT");
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it("reports an unreachable service as transient", async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const { port } = closed.address() as AddressInfo;
    await new Promise((r) => closed.close(r));
    const other = new Registry(dir);
    await loadFixture(other, "http", dir, { BASE_URL: `http://127.0.0.1:${port}` });
    const error = await failure(other.call("kh.list", {}, { secrets }));
    expect(error.details.toolCode).toBe("HTTP_UNREACHABLE");
    expect(error.transient).toBe(true);
  });
});
