import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { loadRegistry, type Registry } from "../../src/index.js";
import { plan } from "../../src/planner/plan.js";
import { loadMethods, type MethodLibrary } from "../../src/planner/offline/methods.js";
import { validatePlanText } from "../../src/validator/index.js";
import { resetWorld, worldFromFixture } from "../../tools/sandbox/world/index.js";
import { saveWorld } from "../../tools/sandbox/world/store.js";

const MIGRATE = "Migrate the orders database from us-east-1 to eu-west-1";
const run = promisify(execFile);

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "planfile-planner-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function sandbox(
  fixture?: string,
  edit?: (world: ReturnType<typeof worldFromFixture>) => void,
): Promise<{ registry: Registry; methods: MethodLibrary; stateDir: string }> {
  const stateDir = tempDir();
  if (fixture) resetWorld(stateDir, fixture);
  if (edit) {
    const world = worldFromFixture(fixture ?? "default");
    edit(world);
    saveWorld(stateDir, world, { durable: true });
  }
  const registry = await loadRegistry({ toolsDir: "tools", stateDir });
  cleanups.push(() => registry.close());
  return { registry, methods: await loadMethods("tools"), stateDir };
}

const subnetOf = (yaml: string) => /tool: sandbox\.db\.create\n\s+args: \{.*subnet: ([\w-]+)/.exec(yaml)?.[1];

describe("the offline planner on the sandbox", () => {
  it("plans the orders migration in five or more valid steps, reading the world first (created on first use)", async () => {
    const { registry, methods } = await sandbox();
    const result = await plan(MIGRATE, { registry, methods });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.plan.steps.length).toBeGreaterThanOrEqual(5);
    expect(validatePlanText(result.yaml, "migrate.yaml", registry).ok).toBe(true);
    expect(result.plan.context?.map((c) => c.id)).toEqual([
      "source",
      "target_dbs",
      "target_subnets",
      "target_quota",
      "buckets",
      "dns",
    ]);
    expect(result.plan.metadata.planner).toEqual({
      name: "offline",
      prompt: "methods@1:migrate-database",
      attempts: 1,
    });
    expect(result.plan.riskySteps).toEqual(["freeze", "cutover"]);
  });

  it("puts the new database in a data subnet that has free IPs", async () => {
    const { registry, methods } = await sandbox("default");
    const result = await plan(MIGRATE, { registry, methods });
    expect(result.ok && subnetOf(result.yaml)).toBe("euw1-data-a");
  });

  it("skips the exhausted subnet and picks one with capacity", async () => {
    const { registry, methods } = await sandbox("exhausted-subnet");
    const result = await plan(MIGRATE, { registry, methods });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const subnets = result.plan.context!.find((c) => c.id === "target_subnets")!.output.subnets as {
      name: string;
      freeIps: number;
    }[];
    expect(subnets.find((s) => s.name === "euw1-data-a")!.freeIps).toBe(0);
    expect(subnetOf(result.yaml)).toBe("euw1-data-b");
  });

  it("fails with the reason when no subnet of the target region has a free IP", async () => {
    const { registry, methods } = await sandbox("exhausted-subnet", (world) => {
      for (const subnet of Object.values(world.subnets))
        if (subnet.region === "eu-west-1") subnet.reservedIps = subnet.totalIps;
    });
    const result = await plan(MIGRATE, { registry, methods });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toBe("PRECONDITION");
    expect(result.message).toContain(
      "no subnet in eu-west-1 has a free IP (checked: euw1-data-a 0 free, euw1-data-b 0 free",
    );
  });

  it("names the databases there are when the goal names one that does not exist, before any method probe", async () => {
    const { registry, methods } = await sandbox();
    const result = await plan("Migrate the billing database from us-east-1 to eu-west-1", { registry, methods });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toBe("UNKNOWN_ENTITY");
    expect(result.message).toContain("there is no database named billing (known: inventory, orders)");
    // Only entity lists were read (every pack's that the verb could concern), none of the method's probes.
    const read = result.probes.map((p) => (p.ok ? p.entry.tool : p.tool));
    expect(read).toEqual(expect.arrayContaining(["sandbox.db.list", "sandbox.network.listRegions"]));
    expect(read.filter((tool) => tool.startsWith("sandbox."))).toEqual([
      "sandbox.db.list",
      "sandbox.network.listRegions",
    ]);
    expect(read).not.toContain("sandbox.db.describe");
  });

  it("says how to go on when no method matches", async () => {
    const { registry, methods } = await sandbox();
    const result = await plan("Make me a sandwich", { registry, methods });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toBe("NO_METHOD");
    expect(result.message).toMatch(
      /^no method matches this goal; configure an LLM with OPENAI_API_KEY .* or add a method/,
    );
    expect(result.probes).toEqual([]);
  });

  it("plans every example goal its methods declare in its fixture, or refuses it with the declared reason", async () => {
    const { methods } = await sandbox();
    const examples = methods.methods.flatMap((m) => (m.examples ?? []).map((e) => ({ method: m.name, ...e })));
    expect(examples.length).toBeGreaterThan(0);
    for (const example of examples) {
      const { registry } = await sandbox(example.fixture ?? "default");
      const result = await plan(example.goal, { registry, methods });
      if (example.fails) {
        expect(result.ok ? "planned" : result.message, example.goal).toContain(example.fails);
        continue;
      }
      expect(result.ok ? { method: example.method, steps: result.plan.steps.length >= 5 } : result.message).toEqual({
        method: example.method,
        steps: true,
      });
      expect(result.ok && result.plan.metadata.planner?.prompt).toBe(`methods@1:${example.method}`);
    }
  });
});

describe("tsx src/plan.ts offline", () => {
  const cli = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    run("npx", ["tsx", "src/plan.ts", ...args], {
      env: { ...process.env, OPENAI_API_KEY: "", OPENAI_BASE_URL: "", ...env },
    }).then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    );

  it("writes the plan atomically with -o and reports on stderr", async () => {
    const dir = tempDir();
    const out = join(dir, "plans", "migrate-orders.yaml");
    const { code, stdout, stderr } = await cli([MIGRATE, "-o", out, "--state-dir", join(dir, "state")]);
    expect(code).toBe(0);
    expect(stdout).toBe("");
    expect(stderr).toMatch(
      /planned 9 steps, 2 risky \(freeze, cutover\), by offline, methods@1:migrate-database in \d+ ms \(context: 6 reads; proven by 1 dry run, \d+ ms\); wrote /,
    );
    expect(readFileSync(out, "utf8")).toMatch(/^# planfile plan — Migrate the orders database/);
  });

  it("prints nothing and writes nothing when it cannot plan", async () => {
    const dir = tempDir();
    const out = join(dir, "x.yaml");
    const { code, stdout, stderr } = await cli(["Make me a sandwich", "-o", out, "--state-dir", join(dir, "state")]);
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toContain("reason: NO_METHOD");
    expect(stderr).toContain("nothing was written");
    expect(existsSync(out)).toBe(false);
  });
});
