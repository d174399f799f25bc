// The lab: two real clusters on loopback, seeded, reported, stopped; data only under the state folder.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { labDown, labStatus, labUp, seedCounts } from "../../src/lab/index.js";
import { databasesOf, SKIP_REASON, TEST_ROWS, useLab } from "./helpers.js";

describe.skipIf(SKIP_REASON)(`lab${SKIP_REASON ? ` (skipped: ${SKIP_REASON})` : ""}`, () => {
  const lab = useLab();

  it("starts east and west on their own loopback ports, with data under <state>/lab", async () => {
    const status = (await labStatus(lab.stateDir))!;
    expect(status.map((c) => [c.name, c.up, c.host])).toEqual([
      ["east", true, "127.0.0.1"],
      ["west", true, "127.0.0.1"],
    ]);
    expect(status[0]!.port).not.toBe(status[1]!.port);
    for (const c of status) expect(existsSync(join(lab.stateDir, "lab", c.name, "data", "PG_VERSION"))).toBe(true);
  });

  it("seeds orders with related tables on east, plus inventory and the service catalog; west holds none", async () => {
    expect(await databasesOf(lab, "east")).toEqual(["catalog", "inventory", "orders"]);
    expect(await databasesOf(lab, "west")).toEqual([]);
    const [counts] = await lab.query(
      "east",
      "orders",
      `SELECT (SELECT count(*) FROM customers)::int AS customers, (SELECT count(*) FROM orders)::int AS orders,
              (SELECT count(*) FROM order_items)::int AS items, (SELECT count(*) FROM payments)::int AS payments,
              (SELECT count(*) FROM products)::int AS products`,
    );
    const n = seedCounts(TEST_ROWS);
    expect(counts).toMatchObject({ customers: n.customers, orders: n.orders, products: n.products });
    const total = Object.values(counts!).reduce((a: number, b) => a + Number(b), 0);
    expect(total).toBeGreaterThanOrEqual(TEST_ROWS);
    const orphans = await lab.query(
      "east",
      "orders",
      "SELECT count(*)::int AS n FROM order_items i LEFT JOIN orders o ON o.id = i.order_id WHERE o.id IS NULL",
    );
    expect(orphans).toEqual([{ n: 0 }]);
    expect(await lab.query("east", "catalog", "SELECT name, cluster, port FROM services ORDER BY name")).toEqual([
      { name: "inventory", cluster: "east", port: lab.port("east") },
      { name: "orders", cluster: "east", port: lab.port("east") },
    ]);
  });

  it("up again keeps the data and does not seed twice; down stops both; up starts them again", async () => {
    await labUp({ stateDir: lab.stateDir });
    expect(await lab.query("east", "orders", "SELECT count(*)::int AS n FROM customers")).toEqual([
      { n: seedCounts(TEST_ROWS).customers },
    ]);
    expect(await labDown({ stateDir: lab.stateDir })).toEqual(["east", "west"]);
    expect((await labStatus(lab.stateDir))!.map((c) => c.up)).toEqual([false, false]);
    await labUp({ stateDir: lab.stateDir });
    expect((await labStatus(lab.stateDir))!.map((c) => c.up)).toEqual([true, true]);
  }, 60_000);
});
