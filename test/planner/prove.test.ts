// Proven before emitted: the planner dry-runs every candidate plan on a scratch
// copy of the sandbox, takes the method's next alternative when a step would
// fail, and refuses with the step and the world's reason when none is left.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { once } from "node:events";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadRegistry, type Registry } from "../../src/index.js";
import { createOpenAiLlm } from "../../src/planner/llm.js";
import { library, loadMethods, parseMethods, type MethodLibrary } from "../../src/planner/offline/methods.js";
import { decomposeTask } from "../../src/planner/offline/htn.js";
import { plan } from "../../src/planner/plan.js";
import { readWorld, resetWorld } from "../../tools/sandbox/world/index.js";
import { answer, startFakeOpenAi } from "../support/fake-openai.js";

const MIGRATE = "Migrate the orders database from us-east-1 to eu-west-1";
const NOW = () => new Date("2026-11-26T00:00:00Z");

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function sandbox(fixture: string): Promise<{ registry: Registry; methods: MethodLibrary; stateDir: string }> {
  const stateDir = mkdtempSync(join(tmpdir(), "planfile-prove-"));
  cleanups.push(() => rmSync(stateDir, { recursive: true, force: true }));
  resetWorld(stateDir, fixture);
  const registry = await loadRegistry({ toolsDir: "tools", stateDir });
  cleanups.push(() => registry.close());
  return { registry, methods: await loadMethods("tools"), stateDir };
}

const stepIds = (p: { steps: { id: string }[] }) => p.steps.map((s) => s.id);
const argsOf = (p: { steps: { id: string; args: Record<string, unknown> }[] }, id: string) =>
  p.steps.find((s) => s.id === id)?.args;

describe("proving plans before they are emitted", () => {
  it("stages the dump in a bucket we own when the target region's bucket quota is used up", async () => {
    const { registry, methods } = await sandbox("quota-nearly-full");
    const result = await plan(MIGRATE, { registry, methods, now: NOW });
    if (!result.ok) throw new Error(result.message);
    expect(stepIds(result.plan)).not.toContain("create_bucket");
    expect(argsOf(result.plan, "upload")).toMatchObject({ bucket: "migrations" });
    expect(argsOf(result.plan, "restore")).toMatchObject({ bucket: "migrations" });
    expect(result.plan.metadata.description).toContain("stage in migrations");
    expect(result.stats.proofs).toBe(2); // the naive plan, then the one that holds
  });

  it("without the proof, the same goal plans the bucket the quota forbids (the case the proof exists for)", async () => {
    const { registry, methods } = await sandbox("quota-nearly-full");
    const result = await plan(MIGRATE, { registry, methods, now: NOW, prove: false });
    if (!result.ok) throw new Error(result.message);
    expect(argsOf(result.plan, "create_bucket")).toMatchObject({ name: "orders-migration", region: "eu-west-1" });
    expect(result.stats.proofs).toBe(0);
  });

  it("keeps an earlier attempt's dump and stages the new one in another bucket of ours", async () => {
    const { registry, methods } = await sandbox("stale-dump");
    const result = await plan(MIGRATE, { registry, methods, now: NOW });
    if (!result.ok) throw new Error(result.message);
    expect(argsOf(result.plan, "upload")).toMatchObject({ bucket: "migrations" });
  });

  it("names the copy after the full region when its short name is taken in another region", async () => {
    const { registry, methods } = await sandbox("name-taken");
    const result = await plan(MIGRATE, { registry, methods, now: NOW });
    if (!result.ok) throw new Error(result.message);
    expect(argsOf(result.plan, "create_target")).toMatchObject({ name: "orders-eu-west-1", subnet: "euw1-data-a" });
    expect(argsOf(result.plan, "verify")).toMatchObject({ target: "orders-eu-west-1" });
    // The other subnet choice makes the same call, so it is not dry-run again; under the new name the data subnet is right again.
    expect(result.stats.proofs).toBe(2);
  });

  it("refuses with the failing step and the world's reason when no alternative is left, and leaves the world alone", async () => {
    const { registry, methods, stateDir } = await sandbox("instance-quota-full");
    const before = readWorld(stateDir);
    const result = await plan("Add an instance behind web-lb", { registry, methods, now: NOW });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toBe("WOULD_FAIL");
    expect(result.message).toContain(
      "scale-out: step create_instance (sandbox.compute.create) would fail: QUOTA_EXCEEDED: region us-east-1 allows 4 instances and has 4",
    );
    const after = readWorld(stateDir);
    expect(after.instances).toEqual(before.instances);
    expect(after.calls.some((c) => c.tool === "sandbox.compute.create")).toBe(false);
    // Its scratch copies are gone too.
    const scratch = join(stateDir, "dry-runs");
    expect(existsSync(scratch) ? readdirSync(scratch) : []).toEqual([]);
  });

  it("proves on a copy of the sandbox only: a Postgres lab beside it (a live data directory, with a socket) is left out", async () => {
    const { registry, methods, stateDir } = await sandbox("default");
    mkdirSync(join(stateDir, "lab", "c1"), { recursive: true });
    const socket = createServer().listen(join(stateDir, "lab", "c1", ".s.PGSQL.5432"));
    await once(socket, "listening");
    cleanups.push(() => new Promise((done) => socket.close(done)));
    const result = await plan(MIGRATE, { registry, methods, now: NOW });
    expect(result.ok ? result.stats.proofs : result.message).toBe(1);
  });

  it("emits the same bytes for the same goal on the same world", async () => {
    const { registry, methods } = await sandbox("name-taken");
    const first = await plan(MIGRATE, { registry, methods, now: NOW });
    const second = await plan(MIGRATE, { registry, methods, now: NOW });
    expect(first.ok && second.ok).toBe(true);
    if (first.ok && second.ok) expect(second.yaml).toBe(first.yaml);
  });

  it("sends a model's plan that would fail back with the failing step, like a validator problem", async () => {
    const { registry, methods } = await sandbox("quota-nearly-full");
    const naive = await plan(MIGRATE, { registry, methods, now: NOW, prove: false });
    if (!naive.ok) throw new Error(naive.message);
    const steps = naive.plan.steps.map(({ rollback: _r, ...s }) => ({
      ...s,
      risky: naive.plan.riskySteps.includes(s.id),
    }));
    const server = await startFakeOpenAi();
    cleanups.push(() => server.close());
    server.fallback = answer({ steps });
    const llm = createOpenAiLlm({ apiKey: "k", baseURL: server.url, model: "fake", retries: 0 });
    const result = await plan(MIGRATE, { registry, llm, now: NOW, maxRepairs: 1, gather: { ask: false } });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toBe("WOULD_FAIL");
    expect(server.requests).toHaveLength(2);
    expect(JSON.stringify(server.requests[1]!.messages)).toContain(
      "step create_bucket (sandbox.storage.createBucket) would fail: QUOTA_EXCEEDED",
    );
    expect(result.attempts[0]!.problems[0]).toMatchObject({ rule: "dry-run", where: "steps.create_bucket" });
  });
});

describe("backtracking in the decomposition", () => {
  const methods = library(
    parseMethods(
      `apiVersion: planfile/v1
kind: MethodSet
name: test
methods:
  - name: repoint
    task: cutover
    when: 'true'
    subtasks:
      - {id: switch, tool: sandbox.dns.upsert, args: {zone: internal, name: a.internal, type: CNAME, value: b}, expectedOutcome: x}
  - name: nothing-to-repoint
    task: cutover
    subtasks: []
  - name: second-choice
    task: pick
    when: 'true'
    subtasks: []
`,
      "test.methods.yaml",
    ),
  );

  it("never replaces a ruled-out alternative with a method that has no condition (that would drop the work)", () => {
    const ban = { choice: "cutover=repoint", given: [], why: "step switch would fail" };
    const d = decomposeTask("cutover", {}, [], methods, { bans: [ban] });
    expect(d.ok).toBe(false);
    if (!d.ok) expect(d.reasons).toEqual(["repoint: step switch would fail"]);
    expect(decomposeTask("cutover", {}, [], methods).ok).toBe(true);
  });

  it("lifts a ban when a choice it was made under changes", () => {
    const ban = { choice: "cutover=repoint", given: ["root=other"], why: "failed" };
    expect(decomposeTask("cutover", {}, [], methods, { bans: [ban], made: ["root=first"] }).ok).toBe(true);
    expect(decomposeTask("cutover", {}, [], methods, { bans: [ban], made: ["root=other"] }).ok).toBe(false);
  });
});
