// `planfile approve`: on either store, approving a waiting run's risky steps records who and the digest, and
// the run then goes on; a typo or a finished run approves nothing.
import { expect, it } from "vitest";
import { foldJournal, run } from "../../src/runner/index.js";
import { approveRun } from "../../src/store/approve-run.js";
import { harness, plan, set } from "../runner/helpers.js";
import { describeStores } from "./stores.js";

describeStores("approving a run from anywhere", (kind) => {
  const waiting = async () => {
    const h = harness();
    const store = kind.open(h.stateDir);
    const p = plan([set("a"), set("b", ["a"]), set("c", ["b"])], {
      riskySteps: ["b", "c"],
      requiresConfirmation: true,
    });
    const first = await run(p, { registry: h.registry, store, runId: "r1", retryDelayMs: 0 });
    expect(first).toMatchObject({ status: "awaiting-approval", pending: ["b", "c"] });
    return { h, store, p, digest: first.status === "awaiting-approval" ? first.digest : "" };
  };

  it("records who approved which steps of which digest; the run then goes on without asking", async () => {
    const { h, store, p, digest } = await waiting();
    const one = await approveRun(store, "r1", ["b"], "alice");
    expect(one).toMatchObject({ approved: ["b"], pending: ["c"], digest });
    const rest = await approveRun(store, "r1", "all", "bob");
    expect(rest).toMatchObject({ approved: ["c"], pending: [] });
    const state = foldJournal(await store.read("r1"));
    expect(state.approved.get("b")).toMatchObject({ by: "alice", via: "command" });
    expect(state.approved.get("c")).toMatchObject({ by: "bob", via: "command" });
    expect(
      (await store.read("r1")).filter((e) => e.t === "approved").every((e) => "digest" in e && e.digest === digest),
    ).toBe(true);
    const resumed = await run(p, { registry: h.registry, store, runId: "r1", resume: true, retryDelayMs: 0 });
    expect(resumed.status).toBe("succeeded");
  });

  it("refuses a step that is not risky, and a run that is not waiting", async () => {
    const { h, store, p } = await waiting();
    await expect(approveRun(store, "r1", ["a"], "alice")).rejects.toThrow(
      /--step a: not a risky step of run r1. Risky steps: b, c/,
    );
    await approveRun(store, "r1", "all", "alice");
    await run(p, { registry: h.registry, store, runId: "r1", resume: true, retryDelayMs: 0 });
    await expect(approveRun(store, "r1", "all", "alice")).rejects.toThrow(
      /run r1 is succeeded: there is nothing left to approve/,
    );
    await expect(approveRun(store, "nope", "all", "alice")).rejects.toThrow(/no run `nope`/);
  });
});
