import { appendFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { foldJournal, rollbackRun, run } from "../../src/runner/index.js";
import { describeStores, keepLines, runOptionsOn } from "../store/stores.js";
import { harness, plan, set } from "./helpers.js";

describeStores("resume and rollback from the journal", (kind) => {
  // One store per harness: the test's runs live there, in files or in PostgreSQL.
  const { storeOf, opts } = runOptionsOn(() => kind);

  it("rollbackRun finishes an incomplete rollback once the cause is fixed", async () => {
    const h = harness();
    h.failOn.add("c");
    h.undoFailures.set("a", 3);
    const first = await run(plan([set("a"), set("b", ["a"]), set("c", ["b"])]), opts(h));
    expect(first.status).toBe("rollback-incomplete");
    expect(h.world.get("a")).toBe("v-a");
    const second = await rollbackRun("r1", {
      registry: h.registry,
      store: storeOf(h),
      retryDelayMs: 0,
    });
    expect(second).toMatchObject({ status: "rolled-back", compensated: ["b", "a"] });
    expect(h.world.size).toBe(0);
    expect(h.calls.filter((c) => c === "kv.restore r1:b:rollback")).toHaveLength(1); // b was undone once, not again
  });

  it("rollbackRun undoes a finished run on demand, in reverse order of completion", async () => {
    const h = harness();
    await run(plan([set("a"), set("b", ["a"])]), opts(h));
    expect(h.world.size).toBe(2);
    const result = await rollbackRun("r1", { registry: h.registry, store: storeOf(h), retryDelayMs: 0 });
    expect(result).toMatchObject({ status: "rolled-back", compensated: ["b", "a"] });
    expect(h.world.size).toBe(0);
  });

  it("an awaiting-approval run resumes once approved, keeping its run id and journal", async () => {
    const h = harness();
    const p = plan([set("a"), set("b", ["a"])], { riskySteps: ["b"], requiresConfirmation: true });
    expect((await run(p, opts(h))).status).toBe("awaiting-approval");
    expect((await run(p, opts(h, { resume: true, approve: ["b"] }))).status).toBe("succeeded");
    expect(foldJournal(await storeOf(h).read("r1")).approved.get("b")).toMatchObject({ via: "flag" });
  });

  it("resume skips completed steps and reuses their outputs", async () => {
    const h = harness();
    const p = plan([
      set("a"),
      set("b", ["a"]),
      {
        id: "c",
        tool: "kv.echo",
        dependsOn: ["b"],
        args: { fromA: "${{ steps.a.outputs.value }}" },
        expectedOutcome: "e",
        rollback: { none: "echo" },
      },
    ]);
    await run(p, opts(h));
    // Pretend the process died after b: drop every line after b's result.
    const lines = await storeOf(h).read("r1");
    await keepLines(storeOf(h), "r1", lines.findIndex((e) => e.t === "step-result" && e.step === "b") + 1);
    if (kind.name === "files")
      appendFileSync(join(h.stateDir, "runs", "r1", "journal.ndjson"), '{"t":"step-intent","step":"c","to'); // a torn last line
    h.calls.length = 0;
    const result = await run(p, opts(h, { resume: true }));
    expect(result.status).toBe("succeeded");
    expect(h.calls).toEqual(["kv.echo r1:c"]);
    if (result.status === "succeeded") expect(result.outputs.c).toEqual({ fromA: "v-a" });
  });
});

describe("one process per run", () => {
  it("refuses to resume a run another live process holds, and takes over a lock left by a dead one", async () => {
    const { lockRun } = await import("../../src/runner/lock.js");
    const { mkdtempSync, writeFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const dir = mkdtempSync(join(tmpdir(), "planfile-lock-"));
    // A live process that is not us: our parent.
    writeFileSync(join(dir, "lock"), String(process.ppid));
    expect(() => lockRun(dir, "r1")).toThrow(/run r1 is in use by process \d+/);
    // A pid that cannot be alive.
    writeFileSync(join(dir, "lock"), "2147483646");
    const lock = lockRun(dir, "r1");
    lock.release();
    expect(() => lockRun(dir, "r1").release()).not.toThrow();
  });
});
