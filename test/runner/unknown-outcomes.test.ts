// Settling calls whose outcome died with a process. Each test writes the journal a killed process would
// have left (intents with no result) and sets the world to what really happened, then resumes or rolls back.
import { writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import {
  foldJournal,
  isLive,
  rollbackRun,
  run,
  type JournalEntry,
  type OutcomeAnswer,
} from "../../src/runner/index.js";
import type { RunStore } from "../../src/store/index.js";
import { describeStores, FILES, type StoreKind } from "../store/stores.js";
import type { Plan, Step } from "../../src/schema/types.generated.js";
import { listRuns } from "../../src/runner/runs-view.js";
import { validatePlanData } from "../../src/validator/index.js";
import { harness, inline, plan, types, type Harness } from "./helpers.js";

const obj = { type: "object" };

/** Non-idempotent tools on the harness world: `kv.put` and its undo `kv.del` have verify probes; `kv.blind` has none. */
function tools(h: Harness) {
  const log = (name: string) => (args: { key: string }, ctx: { idempotencyKey?: string }) => {
    h.calls.push(`${name} ${ctx.idempotencyKey}`);
    if (name === "kv.del") h.world.delete(args.key);
    else h.world.set(args.key, "put");
    return { key: args.key };
  };
  h.registry.define(
    inline({
      name: "kv.put",
      description: "Put a key; not idempotent.",
      effect: "write",
      idempotent: false,
      input: obj,
      output: obj,
      verify: { tool: "kv.get", args: { key: "${{ args.key }}" }, expect: "outputs.value != null" },
      compensation: { tool: "kv.del", args: { key: "${{ args.key }}" } },
      handler: log("kv.put"),
    }),
    inline({
      name: "kv.del",
      description: "Delete a key; not idempotent.",
      effect: "destructive",
      idempotent: false,
      input: obj,
      output: obj,
      verify: { tool: "kv.get", args: { key: "${{ args.key }}" }, expect: "outputs.value == null" },
      handler: log("kv.del"),
    }),
    inline({
      name: "kv.blind",
      description: "Put a key; not idempotent, and nothing can check it.",
      effect: "write",
      idempotent: false,
      input: obj,
      output: obj,
      compensation: { tool: "kv.del", args: { key: "${{ args.key }}" } },
      handler: log("kv.blind"),
    }),
  );
}

const step = (id: string, tool: string, extra: Partial<Step> = {}): Step => ({
  id,
  tool,
  args: { key: id },
  expectedOutcome: `${id} is there`,
  ...(tool === "kv.get" ? {} : { rollback: { tool: "kv.del", args: { key: id } } }),
  ...extra,
});

// Each harness gets a store of the kind under test: its runs live there, in files or in PostgreSQL.
let kind: StoreKind;
const stores = new WeakMap<object, RunStore>();
const storeOf = (h: Harness) => {
  if (!stores.has(h)) stores.set(h, kind.open(h.stateDir));
  return stores.get(h)!;
};

/** The journal of a process killed with `lines` written after run-started, written through the store. */
async function crashed(h: Harness, p: Plan, lines: object[]): Promise<void> {
  const validation = validatePlanData(p, h.registry);
  if (!validation.ok) throw new Error(validation.problems.map((x) => x.message).join("\n"));
  const at = "2026-11-26T00:00:00.000Z";
  const all = [{ t: "run-started", runId: "r1", digest: validation.digest, plan: p, dryRun: false }, ...lines];
  const lock = await storeOf(h).lock("r1");
  const journal = lock.journal();
  for (const l of all) journal.append({ ...l, at } as JournalEntry);
  await journal.sync();
  await journal.close();
  await lock.release();
}
const intent = (id: string, tool: string) => ({
  t: "step-intent",
  step: id,
  tool,
  attempt: 1,
  key: `r1:${id}`,
  args: { key: id },
  dryRun: false,
});
const result = (id: string) => ({
  t: "step-result",
  step: id,
  status: "completed",
  output: { key: id },
  durationMs: 1,
});
const undo = { retryDelayMs: 0 };

describeStores("settling interrupted steps", (k) => {
  beforeEach(() => {
    kind = k;
  });
  it("rollback probes every interrupted step and adopts each answer: only the one that happened is undone", async () => {
    const h = harness();
    tools(h);
    const p = plan([step("a", "kv.put"), step("b", "kv.put"), step("c", "kv.put")]);
    await crashed(h, p, [intent("a", "kv.put"), intent("b", "kv.put"), intent("c", "kv.put")]);
    h.world.set("b", "put"); // only b took effect before the kill
    const r = await rollbackRun("r1", { registry: h.registry, store: storeOf(h), onEvent: h.onEvent, ...undo });
    expect(r).toMatchObject({ status: "rolled-back", compensated: ["b"] });
    expect(h.calls).toEqual(["kv.del r1:b:rollback"]);
    expect(
      types(h.events, "outcome-resolved").map((e) => e.type === "outcome-resolved" && [e.step, e.happened, e.by]),
    ).toEqual([
      ["a", false, "probe"],
      ["b", true, "probe"],
      ["c", false, "probe"],
    ]);
  });

  it("resume probes every interrupted step: those that did not happen run again; one that did stops the run", async () => {
    const h = harness();
    tools(h);
    const p = plan([step("a", "kv.put"), step("b", "kv.put")]);
    await crashed(h, p, [intent("a", "kv.put"), intent("b", "kv.put")]);
    h.world.set("a", "put");
    const r = await run(p, { registry: h.registry, store: storeOf(h), runId: "r1", resume: true, ...undo });
    expect(r).toMatchObject({ status: "outcome-unknown", unknown: [{ step: "a", happened: true }] });
    expect(h.calls).toEqual([]); // b is known not to have happened, but the run cannot go on without a's output
    const back = await rollbackRun("r1", { registry: h.registry, store: storeOf(h), ...undo });
    expect(back).toMatchObject({ status: "rolled-back", compensated: ["a"] });
    expect(h.world.has("a")).toBe(false);
  });

  it("an interrupted read-only step settles itself: nothing is asked, nothing is undone", async () => {
    const h = harness();
    tools(h);
    const p = plan([step("a", "kv.put"), step("look", "kv.get", { dependsOn: ["a"] })]);
    await crashed(h, p, [intent("a", "kv.put"), result("a"), intent("look", "kv.get")]);
    h.world.set("a", "put");
    const ask = async () => {
      throw new Error("asked about a read-only step");
    };
    const r = await rollbackRun("r1", {
      registry: h.registry,
      store: storeOf(h),
      askOutcome: ask,
      onEvent: h.onEvent,
      ...undo,
    });
    expect(r).toMatchObject({ status: "rolled-back", compensated: ["a"] });
    expect(types(h.events, "outcome-resolved")).toMatchObject([{ step: "look", happened: false, by: "read-only" }]);
  });

  for (const [done, expected] of [
    [true, []],
    [false, ["kv.del r1:a:rollback"]],
  ] as const) {
    it(`a killed non-idempotent compensation asks its tool's probe: ${done ? "it happened, so it is not run again" : "it did not, so it runs once"}`, async () => {
      const h = harness();
      tools(h);
      const p = plan([step("a", "kv.put")]);
      await crashed(h, p, [
        intent("a", "kv.put"),
        result("a"),
        { t: "rollback-started", reason: "cancelled", steps: ["a"] },
        { t: "compensation-intent", step: "a", tool: "kv.del", attempt: 1, args: { key: "a" } },
      ]);
      if (!done) h.world.set("a", "put");
      const r = await rollbackRun("r1", { registry: h.registry, store: storeOf(h), ...undo });
      expect(r).toMatchObject({ status: "rolled-back", compensated: ["a"] });
      expect(h.calls).toEqual(expected);
      expect(h.world.has("a")).toBe(false);
    });
  }

  for (const [answer, calls] of [
    ["not-happened", []],
    ["happened", ["kv.del r1:x:rollback"]],
    ["undone", []],
  ] as [OutcomeAnswer, string[]][]) {
    it(`where no probe can tell, the operator's answer "${answer}" settles it, journaled so it is asked once`, async () => {
      const h = harness();
      tools(h);
      const p = plan([step("x", "kv.blind")]);
      await crashed(h, p, [intent("x", "kv.blind")]);
      const stuck = await rollbackRun("r1", { registry: h.registry, store: storeOf(h), ...undo });
      expect(stuck.status).toBe("rollback-incomplete");
      if (stuck.status === "rollback-incomplete")
        expect(stuck.remaining[0]!.error.message).toContain("--resolve x=not-happened or x=happened");
      const asked: string[] = [];
      const r = await rollbackRun("r1", {
        registry: h.registry,
        store: storeOf(h),
        askOutcome: async (call) => (asked.push(call.step), answer),
        ...undo,
      });
      expect(asked).toEqual(["x"]);
      expect(r.status).toBe("rolled-back");
      expect(h.calls).toEqual(calls);
      expect(foldJournal(await storeOf(h).read("r1")).inFlight.size).toBe(0);
    });
  }

  it("on resume, the operator's 'happened' rolls the run back; 'not-happened' runs the step again", async () => {
    const h = harness();
    tools(h);
    const p = plan([step("x", "kv.blind"), step("y", "kv.put", { dependsOn: ["x"] })]);
    await crashed(h, p, [intent("x", "kv.blind")]);
    const undoIt = await run(p, {
      registry: h.registry,
      store: storeOf(h),
      runId: "r1",
      resume: true,
      resolve: { x: "happened" },
      ...undo,
    });
    expect(undoIt).toMatchObject({ status: "rolled-back", compensated: ["x"] });

    const h2 = harness();
    tools(h2);
    await crashed(h2, p, [intent("x", "kv.blind")]);
    const again = await run(p, {
      registry: h2.registry,
      store: storeOf(h2),
      runId: "r1",
      resume: true,
      resolve: { x: "not-happened" },
      ...undo,
    });
    expect(again.status).toBe("succeeded");
    expect(h2.calls).toEqual(["kv.blind r1:x", "kv.put r1:y"]);
  });
});

describe("isLive: a run's lock held by a live process", () => {
  beforeEach(() => {
    kind = FILES; // the lock file itself is what these tests look at
  });
  it("is live while held by a live pid; a dead pid's or a missing lock is not", async () => {
    const h = harness();
    const dir = join(h.stateDir, "runs", "r1");
    mkdirSync(dir, { recursive: true });
    expect(isLive(dir)).toBe(false);
    writeFileSync(join(dir, "lock"), String(process.ppid));
    expect(isLive(dir)).toBe(true);
    writeFileSync(join(dir, "lock"), "2147483646");
    expect(isLive(dir)).toBe(false);
  });

  it("runs lists a run held by a live process as running, and the same journal without it as interrupted", async () => {
    const h = harness();
    tools(h);
    await crashed(h, plan([step("a", "kv.put")]), [intent("a", "kv.put")]);
    const runsDir = join(h.stateDir, "runs");
    expect(listRuns(runsDir)[0]!.status).toBe("interrupted");
    writeFileSync(join(runsDir, "r1", "lock"), String(process.ppid));
    expect(listRuns(runsDir)[0]!.status).toBe(`running (pid ${process.ppid})`);
  });
});
