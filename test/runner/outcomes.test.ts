// A run's result names every step of the plan, in plan order, with what became of it. The runner keeps a
// completed step as its duration alone and makes its outcome when the result asks (src/runner/outcomes.ts):
// the result must not tell the difference.
import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { run } from "../../src/runner/index.js";
import { FileRunStore } from "../../src/store/files.js";
import { keepLines } from "../store/stores.js";
import { harness, plan, set } from "./helpers.js";

const echo = (id: string, args: Record<string, unknown>, dependsOn: string[] = []) => ({
  id,
  tool: "kv.echo",
  args,
  expectedOutcome: "echo",
  ...(dependsOn.length ? { dependsOn } : {}),
  rollback: { none: "echo changes nothing" },
});

describe("a run's step outcomes", () => {
  it("lists every step in plan order: completed with output and duration, failed, and not started", async () => {
    const h = harness();
    h.failOn.add("b");
    // Plan order differs from completion order: `z` is listed first but waits for `a`.
    const result = await run(plan([set("z", ["a"]), set("a"), set("b", ["a"]), set("c", ["b"])]), {
      registry: h.registry,
      runId: "r1",
    });
    expect(result.status).toBe("rolled-back");
    if (!("steps" in result)) return;
    expect(Object.keys(result.steps)).toEqual(["z", "a", "b", "c"]);
    expect(result.steps.a).toEqual({
      status: "completed",
      output: { key: "a", value: "v-a", previous: null },
      durationMs: expect.any(Number),
      reused: false,
    });
    expect(result.steps.b).toMatchObject({ status: "failed", error: { code: "TOOL_FAILED" } });
    expect(result.steps.c).toEqual({ status: "not-started" });
    // `z` and `b` both became ready when `a` completed, and started together: `z` finished, `b` failed.
    expect(result.steps.z).toMatchObject({ status: "completed", reused: false });
  });

  it("reports a completed step's output redacted, as it was when the step completed", async () => {
    const h = harness();
    const result = await run(plan([echo("e", { token: "${{ secrets.PF_OUTCOME_TOKEN }}", n: 1 })]), {
      registry: h.registry,
      runId: "r1",
      env: { PF_OUTCOME_TOKEN: "tok-3f9a1c77" },
    });
    expect(result.status).toBe("succeeded");
    if (result.status !== "succeeded") return;
    expect(result.steps.e).toEqual({
      status: "completed",
      output: { token: "***", n: 1 },
      durationMs: expect.any(Number),
      reused: false,
    });
    expect(result.outputs.e).toEqual({ token: "***", n: 1 });
  });

  it("marks the steps a resumed run reused, beside the ones it ran now", async () => {
    const h = harness();
    const p = plan([set("a"), set("b", ["a"])]);
    const options = { registry: h.registry, runId: "r1" };
    await run(p, options);
    // Pretend the process died after a's result: keep run-started, a's intent and a's result.
    await keepLines(new FileRunStore(join(h.stateDir, "runs")), "r1", 3);
    const result = await run(p, { ...options, resume: true });
    expect(result.status).toBe("succeeded");
    if (!("steps" in result)) return;
    expect(result.steps).toEqual({
      a: {
        status: "completed",
        output: { key: "a", value: "v-a", previous: null },
        durationMs: expect.any(Number),
        reused: true,
      },
      b: {
        status: "completed",
        output: { key: "b", value: "v-b", previous: "v-b" },
        durationMs: expect.any(Number),
        reused: false,
      },
    });
  });
});
