// The postgres methods read goals in many wordings, against the lab's real clusters, databases, roles and dumps.
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadMethods, type MethodLibrary } from "../../src/planner/offline/methods.js";
import { plan } from "../../src/planner/plan.js";
import { loadRegistry, type Registry } from "../../src/registry/index.js";
import { rollbackRun, run } from "../../src/runner/index.js";
import { SKIP_REASON, useLab } from "./helpers.js";

const WORDINGS: Record<string, string[]> = {
  "pg-migrate-database": [
    "Migrate the orders database from cluster east to cluster west",
    "Move the orders db from cluster east to cluster west",
    "Migrate orders from the east cluster to the west cluster",
    "Migrate the orders database to cluster west",
    "move orders to the west cluster",
    "Relocate the orders database from east cluster to west cluster",
    "Transfer orders from cluster east to cluster west.",
    "Migrate the orders postgres database from cluster east over to cluster west",
    "Rehost the orders database on cluster west",
    "Please migrate the orders database out of cluster east into cluster west",
  ],
  "pg-restore-database": [
    "Restore the orders database on cluster west from the dump orders-nightly.dump",
    "Restore orders on cluster west from orders-nightly.dump",
    "restore the orders db into cluster west from dump orders-nightly.dump",
    "Recover the orders database on the west cluster from orders-nightly.dump",
    "Restore the orders database to cluster west from the backup orders-nightly.dump",
    "Reload orders into cluster west from orders-nightly.dump",
    "Restore the orders database onto cluster west from the dump file orders-nightly.dump",
    "Restore orders in the west cluster from the dump orders-nightly.dump.",
    "Please restore the orders database on cluster west from orders-nightly.dump",
    "Restore the orders postgres database on cluster west from orders-nightly.dump",
  ],
  "pg-rotate-password": [
    "Rotate the password of role orders_app on cluster east",
    "Rotate the orders_app password on cluster east",
    "Rotate the password of orders_app on the east cluster",
    "rotate orders_app's password on the east cluster",
    "Change the password of role orders_app on cluster east",
    "Reset the orders_app password on cluster east",
    "Rotate the credentials of user orders_app on cluster east",
    "Renew the password of login orders_app on cluster east",
    "Rotate the orders_app role's password on cluster east.",
    "Please rotate the password of role orders_app on cluster east",
  ],
};

describe.skipIf(SKIP_REASON)(`postgres goal wordings${SKIP_REASON ? ` (skipped: ${SKIP_REASON})` : ""}`, () => {
  const lab = useLab(1_000);
  let registry: Registry;
  let methods: MethodLibrary;
  beforeAll(async () => {
    registry = await loadRegistry({ toolsDir: "tools", stateDir: lab.stateDir });
    methods = await loadMethods("tools");
    await registry.call("postgres.db.dump", { cluster: "east", database: "orders", file: "orders-nightly.dump" });
  });

  for (const [method, goals] of Object.entries(WORDINGS))
    it(`${method}: ${goals.length} wordings plan the same steps as the first`, async () => {
      const reference = await plan(goals[0]!, { registry, methods });
      if (!reference.ok) throw new Error(reference.message);
      expect(reference.plan.metadata.planner?.prompt).toBe(`methods@1:${method}`);
      for (const goal of goals.slice(1)) {
        const result = await plan(goal, { registry, methods });
        expect(result.ok ? result.plan.steps : `${result.reason}: ${result.message}`, goal).toEqual(
          reference.plan.steps,
        );
      }
    }, 300_000);

  it("asks which cluster when the role is on both and the goal does not say", async () => {
    const result = await plan("Rotate the password of orders_app", { registry, methods });
    expect(result.ok ? "planned" : `${result.reason}: ${result.message}`).toMatch(/^AMBIGUOUS: which pg cluster\?/);
  });

  it("a password rotation, once run, is named as what cannot be undone when the run is rolled back", async () => {
    const planned = await plan("Rotate the password of role orders_app on cluster east", { registry, methods });
    if (!planned.ok) throw new Error(planned.message);
    const env = { ...process.env, ORDERS_APP_PASSWORD: "a-new-secret-for-the-test" };
    const runsDir = join(lab.stateDir, "runs");
    const result = await run(planned.plan, { registry, runsDir, approve: "all", env });
    if (result.status !== "succeeded") throw new Error(`the rotation ended ${result.status}`);
    const undone = await rollbackRun(result.runId, { registry, runsDir, env });
    // Not "rolled back" as if nothing had happened: the old password is gone for good, and the result says so.
    expect(undone).toMatchObject({
      status: "partially-rolled-back",
      irreversible: [{ step: "rotate", tool: "postgres.role.rotatePassword" }],
    });
  });

  it("still hands the sandbox's region goals to the sandbox method", async () => {
    const result = await plan("Migrate the orders database from us-east-1 to eu-west-1", { registry, methods });
    expect(result.ok ? result.plan.metadata.planner?.prompt : result.message).not.toMatch(/pg-/);
  });
});
