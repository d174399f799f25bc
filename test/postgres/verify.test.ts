// postgres.db.verify says a copy matches only when every table holds the same rows: one changed value,
// two values swapped between rows, or a missing row is a mismatch naming the table, even when the counts agree.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadRegistry, type Registry } from "../../src/registry/index.js";
import { SKIP_REASON, type TestLab, useLab } from "./helpers.js";

interface Verdict {
  match: boolean;
  mismatches: { table: string; sourceRows: number; targetRows: number }[];
}

describe.skipIf(SKIP_REASON)("postgres.db.verify on real clusters", { timeout: 300_000 }, () => {
  const lab: TestLab = useLab();
  let registry: Registry;
  let copies = 0;

  beforeAll(async () => {
    registry = await loadRegistry({ toolsDir: "tools", stateDir: lab.stateDir });
  });
  afterAll(async () => {
    await registry?.close();
  });

  /** A fresh byte-for-byte copy of east's orders (CREATE DATABASE … TEMPLATE), then `change` applied to it. */
  async function verifyCopy(change?: string): Promise<Verdict> {
    const copy = `orders_copy_${++copies}`;
    await lab.query("east", "postgres", `CREATE DATABASE ${copy} TEMPLATE orders`);
    if (change) await lab.query("east", copy, change);
    return (await registry.call("postgres.db.verify", {
      sourceCluster: "east",
      sourceDatabase: "orders",
      targetCluster: "east",
      targetDatabase: copy,
    })) as Verdict;
  }

  it("an untouched copy matches", async () => {
    expect(await verifyCopy()).toMatchObject({ match: true, mismatches: [] });
  });

  it("a copy whose sessions print rows differently (time zone, date style) still matches", async () => {
    const verdict = await verifyCopy(
      "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET TimeZone = %L', current_database(), 'Asia/Tokyo');" +
        " EXECUTE format('ALTER DATABASE %I SET DateStyle = %L', current_database(), 'German, DMY'); END $$",
    );
    expect(verdict).toMatchObject({ match: true });
  });

  it("one changed value is a mismatch naming its table, though every count agrees", async () => {
    const verdict = await verifyCopy(
      "UPDATE customers SET name = name || '.' WHERE id = (SELECT min(id) FROM customers)",
    );
    expect(verdict.match).toBe(false);
    expect(verdict.mismatches).toEqual([expect.objectContaining({ table: "customers" })]);
    expect(verdict.mismatches[0]!.sourceRows).toBe(verdict.mismatches[0]!.targetRows);
  });

  it("two values swapped between rows is a mismatch (the sum is over whole rows, not columns)", async () => {
    const verdict = await verifyCopy(
      `WITH a AS (SELECT id, name FROM customers ORDER BY id LIMIT 1),
            b AS (SELECT c.id, c.name FROM customers c, a WHERE c.name <> a.name ORDER BY c.id LIMIT 1),
            two AS (SELECT * FROM a UNION ALL SELECT * FROM b)
       UPDATE customers c SET name = (SELECT t.name FROM two t WHERE t.id <> c.id) WHERE c.id IN (SELECT id FROM two)`,
    );
    expect(verdict.match).toBe(false);
    expect(verdict.mismatches.map((m) => m.table)).toEqual(["customers"]);
  });

  it("a missing row is a mismatch with both counts", async () => {
    const verdict = await verifyCopy("DELETE FROM payments WHERE id = (SELECT max(id) FROM payments)");
    expect(verdict.match).toBe(false);
    expect(verdict.mismatches).toEqual([expect.objectContaining({ table: "payments" })]);
    expect(verdict.mismatches[0]!.sourceRows - verdict.mismatches[0]!.targetRows).toBe(1);
  });
});
