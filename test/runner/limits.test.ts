// Concurrency limits where they belong: per tool (manifest `concurrency`), per http host (16 by default, or the
// tool set's `concurrency`, shared by tool sets on one host). Calls are held by gates the test opens, so what is
// running at a given moment is known, never timed.
import { writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadManifest, Registry } from "../../src/registry/index.js";
import { run, type RunEvent } from "../../src/runner/index.js";
import type { Step } from "../../src/schema/types.generated.js";
import { deferred, harness, inline, plan, tempDir, type Deferred } from "./helpers.js";

const started = (events: RunEvent[]) => events.filter((e) => e.type === "step-started").map((e) => e.step);

/** A loopback server that holds every request until the test releases it. */
interface Held {
  url: string;
  held: ServerResponse[];
  arrived: (n: number) => Promise<void>;
  releaseAll: () => void;
  close: () => Promise<void>;
}
const servers: Held[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function holdingServer(): Promise<Held> {
  const held: ServerResponse[] = [];
  const waiters: { n: number; d: Deferred }[] = [];
  let release = false;
  const server: Server = createServer((_req: IncomingMessage, res: ServerResponse) => {
    if (release) return void res.end("{}");
    held.push(res);
    for (const w of waiters) if (held.length >= w.n) w.d.open();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  const s: Held = {
    url: `http://127.0.0.1:${port}`,
    held,
    arrived: (n) => {
      const d = deferred();
      if (held.length >= n) d.open();
      else waiters.push({ n, d });
      return d.promise;
    },
    releaseAll: () => {
      release = true;
      for (const res of held.splice(0)) res.end("{}");
    },
    close: () => new Promise((r) => server.close(() => r())),
  };
  servers.push(s);
  return s;
}

function httpSet(dir: string, name: string, baseUrl: string, concurrency?: number): string {
  const file = join(dir, `${name}.tools.yaml`);
  writeFileSync(
    file,
    `apiVersion: planfile/v1
kind: ToolSet
name: ${name}
description: loopback http tools for the limit tests
implementation:
  kind: http
  baseUrl: "${baseUrl}"${concurrency ? `\n  concurrency: ${concurrency}` : ""}
tools:
  - name: ${name}.ping
    description: Waits for the server's answer.
    effect: read
    idempotent: true
    request: {method: GET, url: "/ping"}
    input: {type: object}
    output: {type: object}
`,
  );
  return file;
}

const step = (id: string, tool: string): Step => ({
  id,
  tool,
  args: {},
  expectedOutcome: "answered",
  rollback: { none: "reads change nothing" },
});

async function registryOf(...sets: [string, string, number?][]): Promise<Registry> {
  const dir = tempDir();
  const registry = new Registry(dir);
  for (const [name, url, concurrency] of sets) await loadManifest(registry, httpSet(dir, name, url, concurrency));
  return registry;
}

describe("concurrency limits per tool and per host", () => {
  it("a tool's manifest `concurrency` holds its calls to that many; other tools run beside them", async () => {
    const h = harness();
    const gates = Array.from({ length: 5 }, () => deferred());
    const entered: number[] = [];
    const arrived = [deferred(), deferred()];
    h.registry.define(
      inline({
        name: "slow.write",
        description: "A call limited to two at once.",
        effect: "read",
        idempotent: true,
        concurrency: 2,
        input: { type: "object" },
        output: { type: "object" },
        handler: async ({ n }: { n: number }) => {
          entered.push(n);
          arrived[entered.length - 1]?.open();
          await gates[n]!.promise;
          return {};
        },
      }),
    );
    const steps: Step[] = gates.map((_, n) => ({ ...step(`w${n}`, "slow.write"), args: { n } }));
    const running = run(plan([...steps, { ...step("other", "kv.get"), args: { key: "x" } }]), {
      registry: h.registry,
      runId: "l",
      onEvent: h.onEvent,
    });
    await Promise.all(arrived.map((a) => a.promise));
    expect(started(h.events).sort()).toEqual(["other", "w0", "w1"]);
    for (const g of gates) g.open();
    expect((await running).status).toBe("succeeded");
    expect(entered).toEqual([0, 1, 2, 3, 4]);
  });

  it("steps held by a limit start in plan order, one at a time with `concurrency: 1`", async () => {
    const h = harness();
    let inFlight = 0;
    let most = 0;
    h.registry.define(
      inline({
        name: "one.at.a.time",
        description: "A call limited to one at once.",
        effect: "read",
        idempotent: true,
        concurrency: 1,
        input: { type: "object" },
        output: { type: "object" },
        handler: async () => {
          most = Math.max(most, ++inFlight);
          await new Promise((r) => setImmediate(r));
          inFlight--;
          return {};
        },
      }),
    );
    const ids = Array.from({ length: 300 }, (_, i) => `o${i}`);
    const events: RunEvent[] = [];
    const result = await run(plan(ids.map((id) => step(id, "one.at.a.time"))), {
      registry: h.registry,
      runId: "o",
      onEvent: (e) => events.push(e),
    });
    expect(result.status).toBe("succeeded");
    expect(most).toBe(1);
    expect(started(events)).toEqual(ids);
  });

  it("http: 16 requests at once per host by default", async () => {
    const server = await holdingServer();
    const registry = await registryOf(["ha", server.url]);
    const events: RunEvent[] = [];
    const ids = Array.from({ length: 20 }, (_, i) => `p${i}`);
    const running = run(plan(ids.map((id) => step(id, "ha.ping"))), {
      registry,
      runId: "h",
      onEvent: (e) => events.push(e),
    });
    await server.arrived(16);
    expect(started(events)).toHaveLength(16);
    server.releaseAll();
    expect((await running).status).toBe("succeeded");
    expect(started(events)).toHaveLength(20);
  });

  it("http: a tool set's `concurrency` limits its host, shared with every tool set on that host; another host is not held", async () => {
    const one = await holdingServer();
    const other = await holdingServer();
    // ha and hb call the same host; hc another one. Each allows one request at a time.
    const registry = await registryOf(["ha", `${one.url}/a`, 1], ["hb", `${one.url}/b`, 1], ["hc", other.url, 1]);
    const events: RunEvent[] = [];
    const steps = [step("a1", "ha.ping"), step("b1", "hb.ping"), step("c1", "hc.ping"), step("c2", "hc.ping")];
    const running = run(plan(steps), { registry, runId: "s", onEvent: (e) => events.push(e) });
    await Promise.all([one.arrived(1), other.arrived(1)]);
    expect(started(events)).toEqual(["a1", "c1"]);
    one.releaseAll();
    other.releaseAll();
    expect((await running).status).toBe("succeeded");
    expect(started(events).sort()).toEqual(["a1", "b1", "c1", "c2"]);
  });
});
