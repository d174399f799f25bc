// Group commit: a non-idempotent step's intent is durable before its call and its result before anything
// builds on it or the run reports it, with fdatasyncs shared by whatever is ready at the same moment.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { journalSyncs } from "../../src/runner/journal.js";
import { readJournal, run, type RunEvent } from "../../src/runner/index.js";
import type { Step } from "../../src/schema/types.generated.js";
import { deferred, harness, plan, set } from "./helpers.js";

/** A non-idempotent step: kv.append, undone by kv.pop. */
const append = (id: string, dependsOn: string[] = []): Step => ({
  id,
  tool: "kv.append",
  args: { key: "list", item: id },
  expectedOutcome: `${id} is appended`,
  ...(dependsOn.length ? { dependsOn } : {}),
  rollback: { tool: "kv.pop", args: { key: `\${{ steps.${id}.outputs.key }}` } },
});

async function syncsOf(steps: Step[], durability?: "always" | "effects") {
  const h = harness();
  const events: RunEvent[] = [];
  const before = journalSyncs();
  const result = await run(plan(steps), {
    registry: h.registry,
    runId: "g",
    retryDelayMs: 0,
    durability,
    onEvent: (e) => events.push(e),
  });
  expect(result.status === "invalid" ? result.problems.map((p) => p.message) : result.status).toBe("succeeded");
  return { syncs: journalSyncs() - before, events, journal: readJournal(join(h.stateDir, "runs", "g")) };
}

describe("group commit", () => {
  it("a chain of non-idempotent steps costs one fdatasync per step: the next intent's sync carries the result before it", async () => {
    const ids = Array.from({ length: 8 }, (_, i) => `a${i}`);
    const { syncs } = await syncsOf(ids.map((id, i) => append(id, i ? [ids[i - 1]!] : [])));
    // One per intent (carrying the result before it), and one at the end for the last result and run-finished.
    expect(syncs).toBe(ids.length + 1);
  });

  it("a layer of non-idempotent steps started together shares one fdatasync for all their intents", async () => {
    const ids = Array.from({ length: 10 }, (_, i) => `w${i}`);
    const { syncs } = await syncsOf(ids.map((id) => append(id)));
    // All intents in one sync; all results (and run-finished) in the next.
    expect(syncs).toBe(2);
  });

  it("reports a non-idempotent step completed only after its result is durable, and before any step that builds on it starts", async () => {
    const { events } = await syncsOf([append("a"), append("b", ["a"]), set("c", ["b"])]);
    const order = events
      .filter((e) => e.type === "step-started" || e.type === "step-completed")
      .map((e) => `${e.type} ${(e as { step: string }).step}`);
    expect(order).toEqual([
      "step-started a",
      "step-completed a",
      "step-started b",
      "step-completed b",
      "step-started c",
      "step-completed c",
    ]);
  });

  it("after a failure, a non-idempotent step that completed is reported before the rollback that undoes it starts", async () => {
    const h = harness();
    h.failOn.add("b");
    const events: RunEvent[] = [];
    const result = await run(plan([append("a"), set("b")]), {
      registry: h.registry,
      runId: "f",
      retryDelayMs: 0,
      defaultRetries: 0,
      onEvent: (e) => events.push(e),
    });
    expect(result.status).toBe("rolled-back");
    const order = events.map((e) => ("step" in e ? `${e.type} ${e.step}` : e.type));
    expect(order.indexOf("step-completed a")).toBeGreaterThan(-1);
    expect(order.indexOf("step-completed a")).toBeLessThan(order.indexOf("rollback-started"));
  });

  it("with durability `always`, idempotent steps get the same guarantees, still in shared syncs", async () => {
    const ids = Array.from({ length: 6 }, (_, i) => `s${i}`);
    const chain = ids.map((id, i) => set(id, i ? [ids[i - 1]!] : []));
    const always = await syncsOf(chain, "always");
    const effects = await syncsOf(chain, "effects");
    expect(effects.syncs).toBe(1); // idempotent steps wait for no sync; the run's end makes everything durable
    expect(always.syncs).toBeGreaterThanOrEqual(ids.length);
    expect(always.syncs).toBeLessThanOrEqual(always.journal.length);
  });

  it("makes the journal's first sync, its costliest, while the first steps run: the report waits only on the last", async () => {
    const h = harness();
    const held = deferred();
    h.gates.set("a", held);
    const before = journalSyncs();
    const running = run(plan([set("a"), set("b", ["a"])]), { registry: h.registry, runId: "e", retryDelayMs: 0 });
    await h.whenStarted("a");
    // The sync was asked right after the first steps were started; it starts on the next turn of the loop.
    await new Promise((resolve) => setImmediate(resolve));
    expect(journalSyncs() - before).toBe(1);
    held.open();
    expect((await running).status).toBe("succeeded");
    expect(journalSyncs() - before).toBe(2);
  });
});
