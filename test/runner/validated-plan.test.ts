// Validate and digest once per run: run() takes the validator's result as it is, and checks anything else.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { Registry } from "../../src/registry/index.js";
import { run, type RunEvent } from "../../src/runner/index.js";
import type { Plan } from "../../src/schema/types.generated.js";
import { canonicalJson } from "../../src/validator/digest.js";
import { planDigest, validatePlanData } from "../../src/validator/index.js";
import { harness, plan, set, tempDir } from "./helpers.js";

const opts = (h: ReturnType<typeof harness>, runId: string) => ({ registry: h.registry, runId, retryDelayMs: 0 });

/** Registry look-ups while `fn` runs: validation looks up every step's tool, and so does running it. */
async function lookups(registry: Registry, fn: () => unknown): Promise<number> {
  const spy = vi.spyOn(registry, "get");
  try {
    await fn();
    return spy.mock.calls.length;
  } finally {
    spy.mockRestore();
  }
}

describe("run: a validated plan is not checked again", () => {
  it("takes the validator's result without repeating its work, and journals the same digest", async () => {
    const h = harness();
    const p = plan([set("a"), set("b", ["a"]), set("c", ["b"])]);
    const validating = await lookups(h.registry, () => validatePlanData(structuredClone(p), h.registry));
    const fromData = await lookups(h.registry, () => run(structuredClone(p), opts(h, "r1")));
    const validated = validatePlanData(structuredClone(p), h.registry);
    if (!validated.ok) throw new Error("the plan is valid");
    const events: RunEvent[] = [];
    let result: Awaited<ReturnType<typeof run>> | undefined;
    const fromToken = await lookups(h.registry, async () => {
      result = await run(validated, { ...opts(h, "r2"), onEvent: (e) => events.push(e) });
    });
    expect(validating).toBeGreaterThan(0);
    expect(fromToken).toBe(fromData - validating);
    expect(result?.status).toBe("succeeded");
    expect(events.find((e) => e.type === "run-started")).toMatchObject({ digest: planDigest(p) });
  });

  it("checks a look-alike of the validator's result: only the validator makes one", async () => {
    const h = harness();
    const bad = plan([set("a", ["nope"])]);
    const fake = { ok: true, plan: bad, digest: "sha256:0" } as unknown as Plan;
    const result = await run(fake, opts(h, "r1"));
    expect(result.status).toBe("invalid");
    expect(h.calls).toEqual([]);
  });

  it("checks again a plan validated against other tools", async () => {
    const h = harness();
    const validated = validatePlanData(plan([set("a")]), h.registry);
    if (!validated.ok) throw new Error("the plan is valid");
    const empty = new Registry(tempDir());
    const result = await run(validated, { registry: empty, runId: "r1" });
    expect(result.status).toBe("invalid");
    if (result.status === "invalid") expect(result.problems[0]!.message).toContain("kv.set");
  });

  it("journals the plan as the canonical text its digest was made from, and reads it back the same", async () => {
    const h = harness();
    // Keys out of canonical order, and a value that needs escaping: the line must still read back as the plan.
    const p = plan([set("b", [], { expectedOutcome: 'b is "set" \\ done' }), set("a", ["b"])]);
    const validated = validatePlanData(structuredClone(p), h.registry);
    if (!validated.ok) throw new Error("the plan is valid");
    expect((await run(validated, opts(h, "r1"))).status).toBe("succeeded");
    const first = readFileSync(join(h.stateDir, "runs", "r1", "journal.ndjson"), "utf8").split("\n")[0]!;
    expect(first.endsWith(`"plan":${canonicalJson(p)}}`)).toBe(true);
    expect(JSON.parse(first)).toMatchObject({ t: "run-started", runId: "r1", digest: planDigest(p), plan: p });
  });

  it("journals the plan all the same when its digest was read before the run", async () => {
    const h = harness();
    const p = plan([set("a"), set("b", ["a"])]);
    const validated = validatePlanData(structuredClone(p), h.registry);
    if (!validated.ok) throw new Error("the plan is valid");
    expect(validated.digest).toBe(planDigest(p));
    expect((await run(validated, opts(h, "r1"))).status).toBe("succeeded");
    const first = readFileSync(join(h.stateDir, "runs", "r1", "journal.ndjson"), "utf8").split("\n")[0]!;
    expect(JSON.parse(first)).toMatchObject({ t: "run-started", digest: planDigest(p), plan: p });
  });
});
