// http tools and secrets: a secret that the server echoes back URL-encoded is still redacted, and a
// secret only the manifest names (an Authorization header, like the github example's GITHUB_TOKEN)
// is loaded by the runner instead of failing the run with SECRET_MISSING.
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ToolCallError } from "../../../src/errors.js";
import { loadManifest, Registry } from "../../../src/registry/index.js";
import { run } from "../../../src/runner/index.js";
import type { Plan } from "../../../src/schema/types.generated.js";

const TOKEN = "gh+tok/with space&=9f8e";
const dir = mkdtempSync(join(tmpdir(), "planfile-http-secrets-"));
let server: Server;
let registry: Registry;
const seenAuth: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seenAuth.push(String(req.headers.authorization));
    const status = req.url!.startsWith("/fail") ? 500 : 200;
    // Echo the request line, as many servers do in their error pages.
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify({ echo: req.url }));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  const manifest = join(dir, "hs.tools.yaml");
  writeFileSync(
    manifest,
    `apiVersion: planfile/v1
kind: ToolSet
name: hs
description: loopback http tools that use secrets
implementation:
  kind: http
  baseUrl: "http://127.0.0.1:${port}"
  headers: {authorization: "Bearer \${{ secrets.GITHUB_TOKEN }}"}
tools:
  - name: hs.fail
    description: Sends the token in the query; the server answers 500 echoing the URL.
    effect: read
    idempotent: true
    request: {method: GET, url: "/fail?token=\${{ secrets.GITHUB_TOKEN }}"}
    input: {type: object}
    output: {type: object}
  - name: hs.whoami
    description: Sends only the shared Authorization header.
    effect: read
    idempotent: true
    request: {method: GET, url: "/user"}
    input: {type: object, additionalProperties: false}
    output: {type: object}
`,
  );
  registry = new Registry(dir);
  await loadManifest(registry, manifest);
});
afterAll(async () => {
  await registry.close();
  await new Promise((r) => server.close(r));
});

describe("http tools and secrets", () => {
  it("redacts a secret the server echoes back URL-encoded", async () => {
    const error = (await registry
      .call("hs.fail", {}, { secrets: { GITHUB_TOKEN: TOKEN } })
      .catch((e) => e)) as ToolCallError;
    expect(error).toBeInstanceOf(ToolCallError);
    expect(error.message).toContain("500");
    expect(error.message).not.toContain(encodeURIComponent(TOKEN));
    expect(error.message).not.toContain(TOKEN);
  });

  it("loads a secret named only in the manifest's headers, so a plan using the tool runs", async () => {
    const plan: Plan = {
      apiVersion: "planfile/v1",
      kind: "Plan",
      metadata: { name: "who", goal: "Who am I on the API" },
      requiresConfirmation: false,
      riskySteps: [],
      steps: [{ id: "who", tool: "hs.whoami", args: {}, expectedOutcome: "The user.", rollback: { none: "A read." } }],
    };
    const result = await run(plan, { registry, runId: "who", env: { GITHUB_TOKEN: TOKEN } });
    expect(result.status).toBe("succeeded");
    expect(seenAuth.at(-1)).toBe(`Bearer ${TOKEN}`);
    const missing = await run(plan, { registry, runId: "who-missing", env: {} }).catch((e: Error) => e);
    expect(String(missing)).toMatch(/secrets that are not set: GITHUB_TOKEN/);
  });
});
