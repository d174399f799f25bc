// Inline tools for the runner's tests: a tiny key-value "world" with undo, tools that fail on purpose,
// and gates that hold a call until the test opens them (ordering by signals, never by timers).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Registry, ToolError, type Handler, type InlineTool } from "../../src/registry/index.js";
import type { Tool } from "../../src/schema/types.generated.js";
import type { Plan, Step } from "../../src/schema/types.generated.js";
import type { RunEvent } from "../../src/runner/index.js";

export function tempDir(prefix = "planfile-runner-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface Deferred {
  promise: Promise<void>;
  open: () => void;
  fail: (error: Error) => void;
}

export function deferred(): Deferred {
  let open!: () => void;
  let fail!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    open = res;
    fail = rej;
  });
  return { promise, open, fail };
}

/**
 * `InlineTool` is `Tool & {handler: Handler}`, but Tool's own `handler` is a string (the export name), so the
 * intersection is unsatisfiable; this cast stands in until the registry's type is fixed.
 */
export const inline = (tool: Omit<Tool, "handler"> & { handler: Handler }): InlineTool => tool as unknown as InlineTool;

const obj = (properties: Record<string, unknown>, required: string[] = Object.keys(properties)) => ({
  type: "object",
  additionalProperties: false,
  required,
  properties,
});
const str = { type: "string" };
const anyValue = {};

export interface Harness {
  registry: Registry;
  stateDir: string;
  world: Map<string, unknown>;
  /** Every handler call, in order: `tool key` (key = idempotency key). */
  calls: string[];
  /** Calls that have started, for gates. */
  started: Set<string>;
  gates: Map<string, Deferred>;
  /** Steps whose `kv.set` fails (by `key` arg). */
  failOn: Set<string>;
  /** Compensations (`kv.unset` by key) that fail this many more times. */
  undoFailures: Map<string, number>;
  events: RunEvent[];
  onEvent: (e: RunEvent) => void;
  /** A promise resolved when a call with this `name` starts. */
  whenStarted: (name: string) => Promise<void>;
}

export function harness(): Harness {
  const stateDir = tempDir();
  const world = new Map<string, unknown>();
  const calls: string[] = [];
  const started = new Set<string>();
  const gates = new Map<string, Deferred>();
  const waiters = new Map<string, Deferred>();
  const failOn = new Set<string>();
  const undoFailures = new Map<string, number>();
  const events: RunEvent[] = [];
  const whenStarted = (name: string) => {
    if (started.has(name)) return Promise.resolve();
    if (!waiters.has(name)) waiters.set(name, deferred());
    return waiters.get(name)!.promise;
  };
  const markStarted = (name: string) => {
    started.add(name);
    waiters.get(name)?.open();
  };

  const tools: (Omit<Tool, "handler"> & { handler: Handler })[] = [
    {
      name: "kv.set",
      description: "Set a key; returns what it replaced.",
      effect: "write",
      idempotent: true,
      input: obj({ key: str, value: anyValue }),
      output: obj({ key: str, value: anyValue, previous: anyValue }, ["key", "value"]),
      compensation: { tool: "kv.restore", args: { key: "${{ outputs.key }}", previous: "${{ outputs.previous }}" } },
      handler: async ({ key, value }: { key: string; value: unknown }, ctx) => {
        calls.push(`kv.set ${ctx.idempotencyKey}`);
        markStarted(key);
        const gate = gates.get(key);
        if (gate) await gate.promise;
        if (failOn.has(key)) throw new ToolError("INJECTED", `injected failure on ${key}`);
        const previous = world.has(key) ? world.get(key) : null;
        world.set(key, value);
        return { key, value, previous };
      },
    },
    {
      name: "kv.restore",
      description: "Put a key back as it was (null: delete it).",
      effect: "write",
      idempotent: true,
      input: obj({ key: str, previous: anyValue }),
      output: obj({ key: str }),
      handler: ({ key, previous }: { key: string; previous: unknown }, ctx) => {
        calls.push(`kv.restore ${ctx.idempotencyKey}`);
        const left = undoFailures.get(key) ?? 0;
        if (left > 0) {
          undoFailures.set(key, left - 1);
          throw new ToolError("UNDO_FAILED", `cannot restore ${key} now`);
        }
        if (previous === null) world.delete(key);
        else world.set(key, previous);
        return { key };
      },
    },
    {
      name: "kv.get",
      description: "Read a key.",
      effect: "read",
      idempotent: true,
      probe: true,
      input: obj({ key: str }),
      output: obj({ key: str, value: anyValue }),
      handler: ({ key }: { key: string }) => ({ key, value: world.has(key) ? world.get(key) : null }),
    },
    {
      name: "kv.append",
      description: "Append to a list key: not idempotent.",
      effect: "write",
      idempotent: false,
      input: obj({ key: str, item: anyValue }),
      output: obj({ key: str, length: { type: "integer" } }),
      compensation: { tool: "kv.pop", args: { key: "${{ outputs.key }}" } },
      handler: ({ key, item }: { key: string; item: unknown }, ctx) => {
        calls.push(`kv.append ${ctx.idempotencyKey}`);
        const list = (world.get(key) as unknown[] | undefined) ?? [];
        world.set(key, [...list, item]);
        return { key, length: list.length + 1 };
      },
    },
    {
      name: "kv.pop",
      description: "Remove the last item of a list key.",
      effect: "write",
      idempotent: false,
      input: obj({ key: str }),
      output: obj({ key: str }),
      handler: ({ key }: { key: string }, ctx) => {
        calls.push(`kv.pop ${ctx.idempotencyKey}`);
        const list = (world.get(key) as unknown[] | undefined) ?? [];
        if (list.length <= 1) world.delete(key);
        else world.set(key, list.slice(0, -1));
        return { key };
      },
    },
    {
      name: "kv.echo",
      description: "Return its args as output (to check reference types and secrets).",
      effect: "write",
      idempotent: true,
      dryRun: true,
      input: { type: "object" },
      output: { type: "object" },
      handler: (args: Record<string, unknown>, ctx) => {
        calls.push(`kv.echo ${ctx.idempotencyKey}${ctx.dryRun ? " dry" : ""}`);
        return { ...args };
      },
    },
  ];
  const registry = new Registry(stateDir).define(...tools.map(inline));
  return {
    registry,
    stateDir,
    world,
    calls,
    started,
    gates,
    failOn,
    undoFailures,
    events,
    onEvent: (e) => events.push(e),
    whenStarted,
  };
}

/** A plan of kv steps; `set(id, deps)` writes key=id with value `v-<id>`. */
export function set(id: string, dependsOn: string[] = [], extra: Partial<Step> = {}): Step {
  return {
    id,
    tool: "kv.set",
    args: { key: id, value: `v-${id}` },
    expectedOutcome: `${id} is set`,
    ...(dependsOn.length ? { dependsOn } : {}),
    rollback: {
      tool: "kv.restore",
      args: { key: `\${{ steps.${id}.outputs.key }}`, previous: `\${{ steps.${id}.outputs.previous }}` },
    },
    ...extra,
  };
}

export function plan(steps: Step[], extra: Partial<Plan> = {}): Plan {
  return {
    apiVersion: "planfile/v1",
    kind: "Plan",
    metadata: { name: "test-plan", goal: "exercise the runner" },
    requiresConfirmation: false,
    riskySteps: [],
    steps: steps as Plan["steps"],
    ...extra,
  };
}

export function types(events: RunEvent[], type: RunEvent["type"]): RunEvent[] {
  return events.filter((e) => e.type === type);
}
