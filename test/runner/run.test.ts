import { describe, expect, it } from "vitest";
import { run, type RunResult } from "../../src/runner/index.js";
import { describeStores, runOptionsOn } from "../store/stores.js";
import { deferred, harness, inline, plan, set, types } from "./helpers.js";

// The whole suite runs on each store: the journal in files, or in PostgreSQL.
describeStores("run", (kind) => {
  const { storeOf, opts } = runOptionsOn(() => kind);
  const journalOf = (h: ReturnType<typeof harness>, id = "r1") => storeOf(h).read(id);

  describe("run: execution along the dependency graph", () => {
    it("runs a chain, passing outputs on with their types, and journals intent before result", async () => {
      const h = harness();
      const p = plan([
        set("a"),
        {
          id: "b",
          tool: "kv.echo",
          dependsOn: ["a"],
          args: { whole: "${{ steps.a.outputs.previous }}", text: "was ${{ steps.a.outputs.value }}", n: 3 },
          expectedOutcome: "echo",
          rollback: { none: "echo changes nothing" },
        },
      ]);
      const result = await run(p, opts(h));
      expect(result.status).toBe("succeeded");
      if (result.status !== "succeeded") return;
      expect(result.outputs.b).toEqual({ whole: null, text: "was v-a", n: 3 });
      const lines = (await journalOf(h)).map((e) =>
        e.t === "step-intent" || e.t === "step-result" ? `${e.t} ${e.step}` : e.t,
      );
      expect(lines).toEqual([
        "run-started",
        "step-intent a",
        "step-result a",
        "step-intent b",
        "step-result b",
        "run-finished",
      ]);
      expect(h.calls).toEqual(["kv.set r1:a", "kv.echo r1:b"]);
    });

    it("runs independent steps in parallel, up to the concurrency limit", async () => {
      const h = harness();
      for (const k of ["a", "b", "c"]) h.gates.set(k, deferred());
      const running = run(plan([set("a"), set("b"), set("c"), set("d", ["a", "b", "c"])]), opts(h, { concurrency: 2 }));
      await Promise.all([h.whenStarted("a"), h.whenStarted("b")]);
      expect(h.started.has("c")).toBe(false); // limit 2: c waits for a slot
      h.gates.get("a")!.open();
      await h.whenStarted("c");
      expect(h.started.has("d")).toBe(false); // d waits for all three
      h.gates.get("b")!.open();
      h.gates.get("c")!.open();
      expect((await running).status).toBe("succeeded");
      expect(h.calls.at(-1)).toBe("kv.set r1:d");
    });

    it("puts no global cap on in-process tools by default: a layer of twelve runs all at once", async () => {
      const h = harness();
      const ids = Array.from({ length: 12 }, (_, i) => `s${i}`);
      for (const id of ids) h.gates.set(id, deferred());
      const running = run(plan(ids.map((id) => set(id))), opts(h));
      // Every step has started while every gate is still shut: nothing waited for a slot (the old default of 8 would).
      await Promise.all(ids.map((id) => h.whenStarted(id)));
      expect(h.started.size).toBe(12);
      for (const id of ids) h.gates.get(id)!.open();
      expect((await running).status).toBe("succeeded");
    });

    it("fails a step whose output breaks its expect, and rolls back", async () => {
      const h = harness();
      const result = await run(
        plan([set("a"), set("b", ["a"], { expect: "outputs.value == 'something else'" })]),
        opts(h),
      );
      expect(result.status).toBe("rolled-back");
      if (result.status !== "rolled-back") return;
      expect(result.failedStep).toBe("b");
      expect(result.error?.code).toBe("EXPECT_FAILED");
      expect(h.world.size).toBe(0);
    });

    it("treats a missing reference as a failed step, never as null", async () => {
      const h = harness();
      const p = plan([
        set("a"),
        {
          id: "b",
          tool: "kv.echo",
          dependsOn: ["a"],
          args: { x: "${{ steps.a.outputs.previous }}" },
          expectedOutcome: "e",
          rollback: { none: "nothing" },
        },
      ]);
      // Valid plan, but make `previous` absent at run time by removing it from the output.
      h.registry.define(
        inline({
          name: "kv.bare",
          description: "set without previous",
          effect: "write",
          idempotent: true,
          input: { type: "object" },
          output: { type: "object" },
          handler: () => ({}),
        }),
      );
      p.steps[0] = { id: "a", tool: "kv.bare", args: {}, expectedOutcome: "x", rollback: { none: "nothing" } };
      const result = await run(p, opts(h));
      expect(result.status).toBe("rolled-back");
      if (result.status === "rolled-back") expect(result.error).toMatchObject({ code: "REFERENCE_MISSING" });
    });

    it("retries an idempotent tool's transient failure with backoff, but never a non-idempotent one", async () => {
      const h = harness();
      const { ToolError } = await import("../../src/registry/index.js");
      let left = 2;
      h.registry.define(
        inline({
          name: "kv.transient",
          description: "transient",
          effect: "write",
          idempotent: true,
          input: { type: "object" },
          output: { type: "object" },
          handler: () => {
            if (left-- > 0) throw new ToolError("BUSY", "try later", { transient: true });
            return { ok: true };
          },
        }),
      );
      const result = await run(
        plan([{ id: "t", tool: "kv.transient", args: {}, expectedOutcome: "ok", rollback: { none: "nothing" } }]),
        opts(h),
      );
      expect(result.status).toBe("succeeded");
      expect(types(h.events, "step-retrying")).toHaveLength(2);
      const intents = (await journalOf(h)).filter((e) => e.t === "step-intent");
      expect(intents.map((e) => (e.t === "step-intent" ? `${e.attempt} ${e.key}` : ""))).toEqual([
        "1 r1:t",
        "2 r1:t",
        "3 r1:t",
      ]);
    });
  });

  describe("run: rollback", () => {
    for (const failing of ["a", "b", "c", "d"]) {
      it(`puts the world back as it was when step ${failing} fails`, async () => {
        const h = harness();
        h.world.set("b", "before");
        const before = new Map(h.world);
        h.failOn.add(failing);
        const result = await run(
          plan([set("a"), set("b", ["a"]), set("c", ["a"]), set("d", ["b", "c"])]),
          opts(h, { concurrency: 1 }),
        );
        expect(result.status).toBe("rolled-back");
        expect(h.world).toEqual(before);
      });
    }

    it("launches nothing new after a failure, lets in-flight steps finish, then undoes in reverse order of completion", async () => {
      const h = harness();
      h.gates.set("slow", deferred());
      h.gates.set("bad", deferred());
      h.failOn.add("bad");
      const running = run(
        plan([
          set("first"),
          set("slow", ["first"]),
          set("bad", ["first"]),
          set("after", ["bad"]),
          set("other", ["first"]),
        ]),
        opts(h, { concurrency: 2 }),
      );
      await Promise.all([h.whenStarted("slow"), h.whenStarted("bad")]);
      h.gates.get("bad")!.open(); // bad fails while slow is still running
      // The failure is reported once its journal line is durable (a commit away on PostgreSQL): wait for it.
      while (!h.events.some((e) => e.type === "step-failed" && e.step === "bad"))
        await new Promise((r) => setImmediate(r));
      h.gates.get("slow")!.open();
      const result = await running;
      expect(result.status).toBe("rolled-back");
      expect(h.started.has("other")).toBe(false);
      expect(h.started.has("after")).toBe(false);
      const undo = h.calls.filter((c) => c.startsWith("kv.restore"));
      expect(undo).toEqual(["kv.restore r1:slow:rollback", "kv.restore r1:first:rollback"]);
      expect(h.world.size).toBe(0);
    });

    it("retries a failing idempotent compensation, then reports rollback incomplete naming what is left", async () => {
      const h = harness();
      h.failOn.add("c");
      h.undoFailures.set("a", 99);
      const result = await run(plan([set("a"), set("b", ["a"]), set("c", ["b"])]), opts(h));
      expect(result.status).toBe("rollback-incomplete");
      if (result.status !== "rollback-incomplete") return;
      expect(result.remaining.map((r) => r.step)).toEqual(["a"]);
      expect(result.compensated).toEqual(["b"]);
      expect(h.calls.filter((c) => c === "kv.restore r1:a:rollback")).toHaveLength(3);
    });

    it("rolls back when the signal aborts, after the in-flight step finishes", async () => {
      const h = harness();
      h.gates.set("b", deferred());
      const controller = new AbortController();
      const running = run(plan([set("a"), set("b", ["a"]), set("c", ["b"])]), opts(h, { signal: controller.signal }));
      await h.whenStarted("b");
      controller.abort();
      h.gates.get("b")!.open();
      const result = await running;
      expect(result).toMatchObject({ status: "rolled-back", cancelled: true, compensated: ["b", "a"] });
      expect(h.started.has("c")).toBe(false);
      expect(h.world.size).toBe(0);
    });
  });

  describe("run: secrets", () => {
    it("passes secrets to the tool but never to the journal or the events", async () => {
      const h = harness();
      const p = plan([
        {
          id: "e",
          tool: "kv.echo",
          args: { token: "${{ secrets.API_TOKEN }}", url: "https://x/?t=${{ secrets.API_TOKEN }}" },
          expectedOutcome: "e",
          rollback: { none: "nothing" },
        },
      ]);
      const result = await run(p, opts(h, { env: { API_TOKEN: "hunter2-s3cret" } }));
      expect(result.status).toBe("succeeded");
      const journal = JSON.stringify(await journalOf(h));
      expect(journal).not.toContain("hunter2-s3cret");
      expect(journal).toContain("https://x/?t=***");
      expect(JSON.stringify(h.events)).not.toContain("hunter2-s3cret");
      expect(JSON.stringify(result)).not.toContain("hunter2-s3cret");
    });

    it("refuses to start when a secret is missing, before anything runs", async () => {
      const h = harness();
      const p = plan([
        set("a"),
        {
          id: "e",
          tool: "kv.echo",
          args: { token: "${{ secrets.MISSING_ONE }}" },
          expectedOutcome: "e",
          rollback: { none: "nothing" },
        },
      ]);
      await expect(run(p, opts(h, { env: {} }))).rejects.toThrow(/MISSING_ONE/);
      expect(h.calls).toEqual([]);
    });
  });

  describe("run: refusing what is not safe", () => {
    it("refuses an invalid plan", async () => {
      const h = harness();
      const result: RunResult = await run(plan([set("a", ["nope"])]), opts(h));
      expect(result.status).toBe("invalid");
      expect(h.calls).toEqual([]);
    });

    it("stops a stale plan with a diff, unless drift is allowed", async () => {
      const h = harness();
      h.world.set("size", 40);
      const p = plan([set("a")], {
        context: [{ id: "db", tool: "kv.get", args: { key: "size" }, output: { key: "size", value: 40 } }],
      });
      h.world.set("size", 41);
      const stale = await run(p, opts(h));
      expect(stale.status).toBe("stale");
      if (stale.status === "stale")
        expect(stale.diffs).toEqual([{ context: "db", path: "value", recorded: 40, now: 41, referenced: false }]);
      expect(h.calls).toEqual([]);
      expect((await run(p, opts(h, { runId: "r2", allowDrift: true }))).status).toBe("succeeded");
    });

    it("refuses to resume a run with a plan whose digest differs", async () => {
      const h = harness();
      await run(plan([set("a")], { riskySteps: ["a"], requiresConfirmation: true }), opts(h));
      const result = await run(
        plan([set("a"), set("b")], { riskySteps: ["a"], requiresConfirmation: true }),
        opts(h, { resume: true }),
      );
      expect(result.status).toBe("digest-mismatch");
    });
  });

  describe("run: approval of risky steps", () => {
    const risky = () => plan([set("a"), set("b", ["a"])], { riskySteps: ["b"], requiresConfirmation: true });

    it("without a way to ask and without approval, runs nothing and names the steps", async () => {
      const h = harness();
      const result = await run(risky(), opts(h));
      expect(result).toMatchObject({ status: "awaiting-approval", pending: ["b"] });
      expect(h.calls).toEqual([]);
    });

    it("a rejection runs nothing and is journaled", async () => {
      const h = harness();
      const result = await run(risky(), opts(h, { confirm: async () => ({ approved: false, by: "alice" }) }));
      expect(result).toMatchObject({ status: "rejected", rejected: ["b"], by: "alice" });
      expect(h.calls).toEqual([]);
      expect((await journalOf(h)).find((e) => e.t === "rejected")).toMatchObject({ steps: ["b"], by: "alice" });
    });

    it("asks once per risky step, showing tool, args, expected outcome and rollback; journals who approved which digest", async () => {
      const h = harness();
      const asked: unknown[] = [];
      const result = await run(
        risky(),
        opts(h, { confirm: async (r: { step: unknown }) => (asked.push(r.step), { approved: true, by: "bob" }) }),
      );
      expect(result.status).toBe("succeeded");
      expect(asked).toEqual([
        {
          id: "b",
          tool: "kv.set",
          args: { key: "b", value: "v-b" },
          expectedOutcome: "b is set",
          effect: "write",
          rollback: {
            tool: "kv.restore",
            args: { key: "${{ steps.b.outputs.key }}", previous: "${{ steps.b.outputs.previous }}" },
          },
        },
      ]);
      const approved = (await journalOf(h)).find((e) => e.t === "approved");
      expect(approved).toMatchObject({
        steps: ["b"],
        by: "bob",
        via: "prompt",
        digest: result.status === "succeeded" ? result.digest : "",
      });
    });

    it("accepts approvals given up front", async () => {
      const h = harness();
      expect((await run(risky(), opts(h, { approve: ["b"], approvedBy: "ci" }))).status).toBe("succeeded");
      expect((await run(risky(), opts(h, { runId: "r2", approve: "all" }))).status).toBe("succeeded");
    });
  });

  describe("run: dry run", () => {
    it("calls dry-run-capable tools in dry-run mode, skips the others, and keeps no journal", async () => {
      const h = harness();
      const p = plan(
        [
          set("a"),
          { id: "e", tool: "kv.echo", args: { x: 1 }, expectedOutcome: "e", rollback: { none: "nothing" } },
          set("b", ["a"]),
        ],
        { riskySteps: ["b"], requiresConfirmation: true },
      );
      const result = await run(p, opts(h, { dryRun: true }));
      expect(result.status).toBe("succeeded");
      expect(h.calls).toEqual(["kv.echo r1:e dry"]);
      expect(
        types(h.events, "step-skipped").map((e) => (e.type === "step-skipped" ? `${e.step}: ${e.reason}` : "")),
      ).toEqual(["a: dry run: kv.set cannot dry-run (write)", "b: dry run: depends on a, which was skipped"]);
      expect(h.world.size).toBe(0);
    });
  });
});
