// The seed's migration done for real on the lab: run to success, fail at each step and roll back,
// SIGKILL during the restore and resume, dry run. Every claim is checked with SQL on the clusters.
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { loadRegistry, type Registry, ToolError } from "../../src/registry/index.js";
import { loadMethods, type MethodLibrary } from "../../src/planner/offline/methods.js";
import { plan } from "../../src/planner/plan.js";
import { rollbackRun, run } from "../../src/runner/index.js";
import type { Plan } from "../../src/schema/types.generated.js";
import { databasesOf, migrationState, rowDigest, SKIP_REASON, useLab } from "./helpers.js";

const execFileP = promisify(execFile);
const GOAL = "Migrate the orders database from cluster east to cluster west";
const STEPS = ["create_target", "freeze", "dump", "restore", "verify", "cutover"];

describe.skipIf(SKIP_REASON)(
  `migrating orders from east to west on the lab${SKIP_REASON ? ` (skipped: ${SKIP_REASON})` : ""}`,
  () => {
    const lab = useLab();
    let registry: Registry;
    let methods: MethodLibrary;
    let start: Awaited<ReturnType<typeof migrationState>>;
    let sourceRows: Record<string, string>;
    const runsDir = () => join(lab.stateDir, "runs");

    beforeAll(async () => {
      registry = await loadRegistry({ toolsDir: "tools", stateDir: lab.stateDir });
      methods = await loadMethods("tools");
      start = await migrationState(lab);
      sourceRows = await rowDigest(lab, "east", "orders");
    });

    async function planMigration(goal = GOAL): Promise<Plan> {
      const result = await plan(goal, { registry, methods });
      if (!result.ok) throw new Error(result.message);
      return result.plan;
    }

    /** The clusters as they were before anything ran: source writable, no target database, clients on the source, no dumps. */
    async function expectBackToStart(label: string) {
      expect(await migrationState(lab), label).toEqual(start);
      expect(await migrationState(lab), label).toMatchObject({
        sourceWritable: true,
        westDatabases: [],
        clientsOn: { cluster: "east", port: lab.port("east") },
      });
      expect(await rowDigest(lab, "east", "orders"), `${label}: the source's rows are untouched`).toEqual(sourceRows);
    }

    it("plans from the real state: 6 steps, freeze and cut-over risky, the source's tables read first", async () => {
      const p = await planMigration();
      expect(p.steps.map((s) => s.id).sort()).toEqual([...STEPS].sort());
      expect(p.riskySteps).toEqual(["freeze", "cutover"]);
      expect(p.context?.find((c) => c.id === "source")?.output).toMatchObject({ tableCount: 5 });
    });

    it("a dry run changes nothing and names the steps it could not simulate", async () => {
      const p = await planMigration();
      const result = await run(p, { registry, runsDir: runsDir(), dryRun: true });
      if (result.status !== "succeeded") throw new Error(`dry run ended ${result.status}`);
      const skipped = Object.entries(result.steps)
        .filter(([, s]) => (s as { status: string }).status === "skipped")
        .map(([id, s]) => [id, (s as { reason: string }).reason]);
      expect(Object.fromEntries(skipped)).toEqual({
        restore: "dry run: postgres.db.restore cannot dry-run (write)",
        verify: "dry run: depends on restore, which was skipped",
        cutover: "dry run: depends on verify, which was skipped",
      });
      for (const id of ["freeze", "dump", "create_target"])
        expect(result.steps[id], id).toMatchObject({ status: "completed" });
      await expectBackToStart("after the dry run");
    });

    for (const failAt of STEPS) {
      it(`a failure at ${failAt} rolls everything back: source writable, no target database, clients on the source`, async () => {
        const p = await planMigration();
        const original = registry.call.bind(registry);
        registry.call = (async (name: string, args: unknown, options?: { idempotencyKey?: string }) => {
          if (options?.idempotencyKey?.endsWith(`:${failAt}`))
            throw new ToolError("INJECTED", `failure injected at ${failAt} by the test`);
          return original(name, args, options);
        }) as Registry["call"];
        try {
          const result = await run(p, { registry, runsDir: runsDir(), approve: "all" });
          expect(result).toMatchObject({ status: "rolled-back", failedStep: failAt });
        } finally {
          registry.call = original;
        }
        await expectBackToStart(`after a failure at ${failAt}`);
      });
    }

    it("runs to success: every row and checksum on west equals east, clients resolve to west, east stays frozen", async () => {
      const p = await planMigration();
      const result = await run(p, { registry, runsDir: runsDir(), approve: "all" });
      if (result.status !== "succeeded") throw new Error(`run ended ${result.status}`);
      expect(await rowDigest(lab, "west", "orders")).toEqual(sourceRows);
      expect(Object.keys(sourceRows).length).toBe(5);
      expect(await migrationState(lab)).toMatchObject({
        sourceWritable: false,
        westDatabases: ["orders"],
        clientsOn: { cluster: "west", port: lab.port("west"), database: "orders" },
      });
      // A second plan of the same goal is refused: the target has the database now.
      const again = await plan(GOAL, { registry, methods });
      expect(again.ok ? "planned" : again.message).toContain("cluster west already has a database named orders");

      const undone = await rollbackRun(result.runId, { registry, runsDir: runsDir() });
      expect(undone.status).toBe("rolled-back");
      await expectBackToStart("after rollback.ts of the finished run");
    });

    it("refuses to plan when a cluster is down, saying which and why", async () => {
      const { labDown, labUp } = await import("../../src/lab/index.js");
      // Seen up once (the planner lists what each cluster holds), then gone.
      await planMigration();
      await labDown({ stateDir: lab.stateDir });
      try {
        const result = await plan(GOAL, { registry, methods });
        expect(result.ok).toBe(false);
        if (!result.ok)
          expect(result.message).toMatch(
            /cluster east is down or unknown: cluster east \(127\.0\.0\.1:\d+\) is not reachable/,
          );
      } finally {
        await labUp({ stateDir: lab.stateDir });
      }
    }, 60_000);

    const cli = (args: string[], env: Record<string, string> = {}) =>
      execFileP("npx", ["tsx", "src/run.ts", ...args, "--state-dir", lab.stateDir], {
        env: { ...process.env, ...env },
      }).then(
        (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr, signal: null as string | null }),
        (e) => ({
          code: e.code as number,
          stdout: e.stdout as string,
          stderr: e.stderr as string,
          signal: e.signal as string | null,
        }),
      );

    it("SIGKILLed half-way through the restore, the resumed run asks the verify probe, finds nothing restored, and restores once", async () => {
      const file = join(lab.stateDir, "migrate.yaml");
      const { default: YAML } = await import("yaml");
      writeFileSync(file, YAML.stringify(await planMigration()));
      const killed = await cli([file, "--yes", "--run-id", "kill-half"], { PLANFILE_TEST_KILL_DURING_RESTORE: "half" });
      expect(killed.code === 137 || killed.signal === "SIGKILL" || killed.code === null, killed.stderr).toBe(true);
      expect(
        await lab.query("west", "orders", "SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'"),
      ).toEqual([{ n: 0 }]);

      const resumed = await cli(["--resume", "kill-half", "--yes"]);
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(resumed.stdout + resumed.stderr).toContain(
        "? restore was interrupted: did not happen (postgres.db.describe says so)",
      );
      expect(await rowDigest(lab, "west", "orders")).toEqual(sourceRows);
      const undone = await execFileP("npx", [
        "tsx",
        "src/rollback.ts",
        "kill-half",
        "--yes",
        "--state-dir",
        lab.stateDir,
      ]);
      expect(undone.stderr + undone.stdout).toContain("rolled back");
      await expectBackToStart("after resuming a killed restore and rolling back");
    }, 300_000);

    it("SIGKILLed half-way through the restore and rolled back without resuming, nothing is left on the target cluster", async () => {
      const file = join(lab.stateDir, "migrate.yaml");
      const { default: YAML } = await import("yaml");
      writeFileSync(file, YAML.stringify(await planMigration()));
      await cli([file, "--yes", "--run-id", "kill-then-undo"], { PLANFILE_TEST_KILL_DURING_RESTORE: "half" });
      expect(await databasesOf(lab, "west")).toEqual(["orders"]);
      const undone = await execFileP("npx", [
        "tsx",
        "src/rollback.ts",
        "kill-then-undo",
        "--yes",
        "--state-dir",
        lab.stateDir,
      ]);
      expect(undone.stderr + undone.stdout).toContain("rolled back");
      await expectBackToStart("after rolling back a run killed during the restore");
    }, 300_000);

    it("SIGKILLed right after the restore committed, the resumed run sees it happened and stops for the operator instead of restoring twice", async () => {
      const file = join(lab.stateDir, "migrate.yaml");
      const { default: YAML } = await import("yaml");
      writeFileSync(file, YAML.stringify(await planMigration()));
      await cli([file, "--yes", "--run-id", "kill-committed"], { PLANFILE_TEST_KILL_DURING_RESTORE: "committed" });
      const resumed = await cli(["--resume", "kill-committed", "--yes"]);
      expect(resumed.code, resumed.stderr).toBe(7);
      expect(resumed.stdout + resumed.stderr).toMatch(
        /restore was interrupted: happened \(postgres\.db\.describe says so\)/,
      );
      // Restored exactly once: every row as on the source, none twice.
      expect(await rowDigest(lab, "west", "orders")).toEqual(sourceRows);
      // The rollback adopts the probe's answer (the restore happened) and undoes it with its compensation, whose
      // arguments need no output of the lost call; then everything else, in reverse.
      const undone = await execFileP("npx", [
        "tsx",
        "src/rollback.ts",
        "kill-committed",
        "--yes",
        "--state-dir",
        lab.stateDir,
      ]).then(
        (r) => ({ code: 0, out: `${r.stdout}${r.stderr}` }),
        (e) => ({ code: e.code as number, out: `${e.stdout}${e.stderr}` }),
      );
      expect(undone.code, undone.out).toBe(0);
      expect(undone.out).toMatch(/undone: restore, /);
      await expectBackToStart("after stopping on a committed restore and rolling back");
    }, 300_000);
  },
);
