/**
 * Context gathering: read-only calls made before planning, in parallel,
 * within a count and a time budget. What answered is recorded in the plan's
 * `context`; what did not is reported, never silently dropped.
 */
import { setMaxListeners } from "node:events";
import type { Registry } from "../registry/registry.js";
import type { ContextEntry } from "../schema/types.generated.js";
import type { PlanStats, ProbeOutcome } from "./types.js";

export interface ProbeCall {
  id: string;
  tool: string;
  args: Record<string, unknown>;
}

export interface GatherLimits {
  /** Most calls the model may ask for in its one extra round; extra ones are refused, not queued. */
  maxCalls: number;
  /** Most declared probes (and method probes) read in the first round. */
  maxProbes: number;
  /** Budget for the whole round; calls still running then are abandoned. */
  timeoutMs: number;
}

export const DEFAULT_GATHER_LIMITS: GatherLimits = { maxCalls: 8, maxProbes: 24, timeoutMs: 10_000 };

const ID = /^[a-z][a-z0-9_-]{0,62}$/;

/** Runs the calls in parallel; wall time is that of the slowest, bounded by the budget. */
export async function gather(
  registry: Registry,
  calls: readonly ProbeCall[],
  limits: GatherLimits,
  taken: ReadonlySet<string> = new Set(),
): Promise<ProbeOutcome[]> {
  const deadline = AbortSignal.timeout(limits.timeoutMs);
  // Every call listens on the one deadline; that is expected, not a leak.
  setMaxListeners(calls.length * 2 + 10, deadline);
  const ids = new Set(taken);
  return Promise.all(
    calls.map(async (call, index): Promise<ProbeOutcome> => {
      const t0 = performance.now();
      const fail = (message: string): ProbeOutcome => ({
        ok: false,
        id: String(call.id),
        tool: String(call.tool),
        args: call.args ?? {},
        message,
        ms: performance.now() - t0,
      });
      if (index >= limits.maxCalls)
        return fail(`not read: at most ${limits.maxCalls} reads are allowed before planning`);
      if (typeof call.id !== "string" || !ID.test(call.id))
        return fail(`context id ${JSON.stringify(call.id)} must match ${ID.source}`);
      if (ids.has(call.id)) return fail(`context id \`${call.id}\` is used twice`);
      ids.add(call.id);
      const tool = registry.get(call.tool);
      if (!tool) return fail(`no tool named ${call.tool} is registered`);
      if (tool.effect !== "read")
        return fail(`${call.tool} is a ${tool.effect} tool; only effect: read tools may run before planning`);
      const args = call.args && typeof call.args === "object" && !Array.isArray(call.args) ? call.args : {};
      try {
        const output = await registry.call(call.tool, args, {
          timeoutMs: Math.min(tool.timeoutMs, limits.timeoutMs),
          signal: deadline,
        });
        const entry: ContextEntry = { id: call.id, tool: call.tool, args, output: asObject(output) };
        return { ok: true, entry, ms: performance.now() - t0 };
      } catch (error) {
        return fail((error as Error).message);
      }
    }),
  );
}

/** Tools that declare `probe: true` and need no arguments: read before every plan. */
export function declaredProbes(registry: Registry): ProbeCall[] {
  const calls: ProbeCall[] = [];
  const used = new Set<string>();
  for (const tool of registry.list()) {
    if (!tool.probe || tool.effect !== "read") continue;
    const required =
      typeof tool.inputSchema === "object" ? (tool.inputSchema.required as string[] | undefined) : undefined;
    if (required && required.length > 0) continue;
    calls.push({ id: contextId(tool.name, used), tool: tool.name, args: {} });
  }
  return calls;
}

/** `sandbox.network.listSubnets` → `network-listsubnets`, made unique. */
export function contextId(toolName: string, used: Set<string>): string {
  const base =
    toolName
      .split(".")
      .slice(1)
      .join("-")
      .toLowerCase()
      .replace(/[^a-z0-9_-]/g, "-")
      .replace(/^[^a-z]+/, "") || "probe";
  let id = base.slice(0, 60);
  for (let n = 2; used.has(id); n++) id = `${base.slice(0, 57)}-${n}`;
  used.add(id);
  return id;
}

export function contextOf(outcomes: readonly ProbeOutcome[]): ContextEntry[] {
  return outcomes.flatMap((o) => (o.ok ? [o.entry] : []));
}

function asObject(output: unknown): Record<string, unknown> {
  return output && typeof output === "object" && !Array.isArray(output)
    ? (output as Record<string, unknown>)
    : { value: output };
}

/** Declared probes and the caller's context, read in one parallel round. */
export async function readContext(
  registry: Registry,
  calls: ProbeCall[],
  given: ContextEntry[],
  limits: GatherLimits,
): Promise<ProbeOutcome[]> {
  const taken = new Set(given.map((c) => c.id));
  const fresh = calls.filter((c) => !taken.has(c.id));
  const outcomes =
    fresh.length > 0 ? await gather(registry, fresh, { ...limits, maxCalls: limits.maxProbes }, taken) : [];
  return [...given.map((entry): ProbeOutcome => ({ ok: true, entry, ms: 0 })), ...outcomes];
}

/** Runs a read and adds its wall time to the plan's gather time. */
export async function timedGather<T>(stats: PlanStats, fn: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  try {
    return await fn();
  } finally {
    stats.gatherMs += performance.now() - t0;
  }
}
