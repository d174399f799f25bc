import { describe, expect, it } from "vitest";
import type { ToolCallError } from "../../src/errors.js";
import { Registry, ToolError } from "../../src/registry/index.js";

const object = (properties: Record<string, unknown>, required = Object.keys(properties)) => ({
  type: "object",
  additionalProperties: false,
  required,
  properties,
});

function registryWith(handler: (args: any) => unknown, extra: Record<string, unknown> = {}) {
  const calls: unknown[] = [];
  const registry = new Registry(".planfile/test-call").define({
    name: "t.echo",
    description: "Echo a number.",
    effect: "write",
    idempotent: true,
    input: object({ n: { type: "integer" } }),
    output: object({ n: { type: "integer" } }),
    ...extra,
    handler: (args) => {
      calls.push(args);
      return handler(args);
    },
  });
  return { registry, calls };
}

describe("Registry.call: validate in → call → validate out", () => {
  it("returns the handler's output when both sides match their schemas", async () => {
    const { registry } = registryWith(({ n }) => ({ n: n + 1 }));
    await expect(registry.call("t.echo", { n: 1 })).resolves.toEqual({ n: 2 });
  });

  it("never shows the handler args that fail the input schema", async () => {
    const { registry, calls } = registryWith(({ n }) => ({ n }));
    const error = (await registry.call("t.echo", { n: "one" }).catch((e: unknown) => e)) as ToolCallError;
    expect(error).toMatchObject({ code: "TOOL_INPUT_INVALID", tool: "t.echo" });
    expect(error.message).toMatch(/args\/n must be integer/);
    expect(calls).toEqual([]);
  });

  it("makes an output that breaks the output schema an error, not a value", async () => {
    const { registry } = registryWith(() => ({ n: "two" }));
    await expect(registry.call("t.echo", { n: 1 })).rejects.toMatchObject({
      code: "TOOL_OUTPUT_INVALID",
      message: expect.stringMatching(/output\/n must be integer/),
    });
  });

  it("reports a crashing handler as a typed error", async () => {
    const { registry } = registryWith(() => {
      throw new TypeError("cannot read properties of undefined");
    });
    await expect(registry.call("t.echo", { n: 1 })).rejects.toMatchObject({
      code: "TOOL_FAILED",
      details: { toolCode: "HANDLER_CRASHED" },
    });
  });

  it("keeps a tool's own error code and whether it is transient", async () => {
    const { registry } = registryWith(() => {
      throw new ToolError("RATE_LIMITED", "slow down", { transient: true });
    });
    const error = (await registry.call("t.echo", { n: 1 }).catch((e: unknown) => e)) as ToolCallError;
    expect(error).toMatchObject({ code: "TOOL_FAILED", details: { toolCode: "RATE_LIMITED", transient: true } });
    expect(error.transient).toBe(true);
  });

  it("ends a hung handler with TOOL_TIMEOUT and aborts its signal", async () => {
    let signal: AbortSignal | undefined;
    const registry = new Registry(".planfile/test-call").define({
      name: "t.hang",
      description: "Never answers.",
      effect: "read",
      idempotent: true,
      input: { type: "object" },
      output: { type: "object" },
      handler: (_args, ctx) => {
        signal = ctx.signal;
        return new Promise(() => {});
      },
    });
    await expect(registry.call("t.hang", {}, { timeoutMs: 20 })).rejects.toMatchObject({ code: "TOOL_TIMEOUT" });
    expect(signal?.aborted).toBe(true);
  });

  it("passes the idempotency key through to the handler", async () => {
    let key: string | undefined;
    const registry = new Registry(".planfile/test-call").define({
      name: "t.key",
      description: "Records its key.",
      effect: "write",
      idempotent: false,
      input: { type: "object" },
      output: { type: "object" },
      handler: (_args, ctx) => {
        key = ctx.idempotencyKey;
        return {};
      },
    });
    await registry.call("t.key", {}, { idempotencyKey: "run-1:dump" });
    expect(key).toBe("run-1:dump");
  });

  it("refuses a dry run of a write tool that cannot do one", async () => {
    const { registry, calls } = registryWith(({ n }) => ({ n }));
    await expect(registry.call("t.echo", { n: 1 }, { dryRun: true })).rejects.toMatchObject({
      details: { toolCode: "DRY_RUN_UNSUPPORTED" },
    });
    expect(calls).toEqual([]);
  });

  it("names an unknown tool", async () => {
    await expect(new Registry().call("t.nope", {})).rejects.toMatchObject({ code: "TOOL_NOT_FOUND" });
  });
});
