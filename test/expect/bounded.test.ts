import { describe, expect, it } from "vitest";
import { checkExpect, compileExpect } from "../../src/expect/index.js";
import { parse as parseCondition } from "../../src/planner/offline/cel.js";
import { run } from "../../src/runner/index.js";
import { harness, plan, set } from "../runner/helpers.js";

/** Nine nested comprehensions over ten elements: 10^9 iterations unless something stops them. */
const nineAlls = (() => {
  let body = "true";
  for (let i = 8; i >= 0; i--) body = `[0,1,2,3,4,5,6,7,8,9].all(v${i}, ${body})`;
  return body;
})();

describe("CEL expressions are bounded at run time", () => {
  it("stops a nest of nine .all calls with a budget message instead of running for minutes", () => {
    expect(nineAlls.length).toBeLessThan(482);
    const check = checkExpect(nineAlls, { outputs: {}, args: {} });
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.message).toMatch(/could not be evaluated: evaluation took over \d+ (steps|ms)/);
  });

  it("does not let `||` swallow a budget error into a true", () => {
    const check = checkExpect(`${nineAlls} || true`, { outputs: {}, args: {} });
    expect(check.ok).toBe(false);
  });

  it("stops values that double in size on every level", () => {
    let body = "'xxxxxxxxxxxxxxxx'";
    for (let i = 0; i < 20; i++) body = `[${body}].map(s${i}, s${i} + s${i})[0]`;
    const check = checkExpect(`size(${body}) > 0`, { outputs: {}, args: {} });
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.message).toMatch(/grew over \d+ characters/);
  });

  it("still evaluates ordinary expectations over real outputs", () => {
    const outputs = { items: Array.from({ length: 500 }, (_, i) => ({ name: `db-${i}`, sizeGb: i })) };
    expect(
      checkExpect("outputs.items.all(i, i.name.startsWith('db-')) && size(outputs.items) == 500", {
        outputs,
        args: {},
      }),
    ).toEqual({ ok: true });
  });

  it("gives method conditions the same budget", () => {
    expect(() => parseCondition(nineAlls)({})).toThrow(/evaluation took over/);
  });

  it("refuses an expression longer than the parse budget", () => {
    const compiled = compileExpect(`${"1 + ".repeat(2000)}1 == 0`);
    expect(compiled.ok).toBe(false);
  });
});

describe("CEL matches is linear-time (RE2)", () => {
  it("matches a catastrophic-backtracking pattern at once", () => {
    const text = `${"a".repeat(50_000)}!`;
    expect(checkExpect("outputs.text.matches('^(a+)+$')", { outputs: { text }, args: {} })).toMatchObject({
      ok: false,
    });
    expect(checkExpect("outputs.text.matches('^(a+)+!$')", { outputs: { text }, args: {} })).toEqual({ ok: true });
  });

  it("keeps CEL's find semantics for both call forms", () => {
    expect(checkExpect("'orders-eu'.matches('eu$') && matches('orders', '^ord')", { outputs: {}, args: {} })).toEqual({
      ok: true,
    });
    expect(checkExpect("'orders-eu'.matches('^eu')", { outputs: {}, args: {} })).toMatchObject({ ok: false });
  });

  it("refuses a literal pattern RE2 cannot run (a backreference) when the plan is checked", () => {
    const compiled = compileExpect("outputs.x.matches('(a)\\\\1')");
    expect(compiled.ok).toBe(false);
    if (!compiled.ok) expect(compiled.message).toMatch(/not an RE2 regular expression/);
  });
});

describe("a step whose expect exceeds the budget", () => {
  it("fails cleanly and rolls back the steps before it", async () => {
    const h = harness();
    const result = await run(plan([set("a"), set("b", ["a"], { expect: nineAlls })]), {
      registry: h.registry,
      onEvent: h.onEvent,
      runId: "r1",
      retryDelayMs: 0,
    });
    expect(result.status).toBe("rolled-back");
    if (result.status !== "rolled-back") return;
    expect(result.failedStep).toBe("b");
    expect(result.error?.code).toBe("EXPECT_FAILED");
    expect(h.world.size).toBe(0);
  });
});
