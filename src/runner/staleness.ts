/**
 * A stale plan: the world changed since the plan was made. Each `context`
 * probe is called again (read-only tools) and compared with what the plan
 * recorded; every difference is listed as `path: recorded → now`.
 */
import { isDeepStrictEqual } from "node:util";
import { findReferences, formatPath } from "../references/index.js";
import type { Registry } from "../registry/registry.js";
import type { Path } from "../schema/source.js";
import type { Plan } from "../schema/types.generated.js";
import { errorInfo } from "./runner-error.js";

export type DriftItem =
  | { context: string; path: string; recorded: unknown; now: unknown; absent?: "recorded" | "now"; referenced: boolean }
  | { context: string; path: ""; error: string; referenced: boolean };

export async function checkDrift(plan: Plan, registry: Registry, signal?: AbortSignal): Promise<DriftItem[]> {
  const used = referencedContext(plan);
  const results = await Promise.all(
    (plan.context ?? []).map(async (entry): Promise<DriftItem[]> => {
      let now: unknown;
      try {
        now = await registry.call(entry.tool, entry.args, { signal });
      } catch (error) {
        return [
          {
            context: entry.id,
            path: "",
            error: `re-reading ${entry.tool} failed: ${errorInfo(error).message}`,
            referenced: used.has(entry.id),
          },
        ];
      }
      return diff(entry.output, now).map((d) => {
        const path = formatPath(d.path);
        const referenced = [...(used.get(entry.id) ?? [])].some(
          (p) => p === "" || path === p || path.startsWith(`${p}.`) || path.startsWith(`${p}[`) || p.startsWith(path),
        );
        return {
          context: entry.id,
          path,
          recorded: d.recorded,
          now: d.now,
          ...(d.absent ? { absent: d.absent } : {}),
          referenced,
        };
      });
    }),
  );
  return results.flat();
}

/** Paths of each context entry that the steps read (`""` for the whole entry). */
function referencedContext(plan: Plan): Map<string, Set<string>> {
  const used = new Map<string, Set<string>>();
  for (const step of plan.steps) {
    const sites = [
      ...findReferences(step.args),
      ...(step.rollback && "tool" in step.rollback ? findReferences(step.rollback.args) : []),
    ];
    for (const site of sites)
      for (const r of site.refs) {
        if (!r.ok || r.ref.root !== "context") continue;
        if (!used.has(r.ref.id)) used.set(r.ref.id, new Set());
        used.get(r.ref.id)!.add(formatPath(r.ref.path));
      }
  }
  return used;
}

interface Difference {
  path: Path;
  recorded: unknown;
  now: unknown;
  absent?: "recorded" | "now";
}

export function diff(recorded: unknown, now: unknown, path: Path = []): Difference[] {
  if (isDeepStrictEqual(recorded, now)) return [];
  const bothObjects =
    recorded &&
    now &&
    typeof recorded === "object" &&
    typeof now === "object" &&
    Array.isArray(recorded) === Array.isArray(now);
  if (!bothObjects) return [{ path, recorded, now }];
  const a = recorded as Record<string, unknown>;
  const b = now as Record<string, unknown>;
  const keys = Array.isArray(a)
    ? [...Array(Math.max(a.length, (b as unknown as unknown[]).length)).keys()]
    : [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  const out: Difference[] = [];
  for (const key of keys) {
    const k = key as string;
    const inA = Object.hasOwn(a, k);
    const inB = Object.hasOwn(b, k);
    if (!inA) out.push({ path: [...path, key], recorded: undefined, now: b[k], absent: "recorded" });
    else if (!inB) out.push({ path: [...path, key], recorded: a[k], now: undefined, absent: "now" });
    else out.push(...diff(a[k], b[k], [...path, key]));
  }
  return out;
}

/** `context.db.sizeGb: 40 → 41`, one line per difference. */
export function formatDrift(items: DriftItem[]): string[] {
  const show = (v: unknown) => (v === undefined ? "(absent)" : JSON.stringify(v));
  return items.map((d) => {
    const where = `context.${d.context}${d.path ? (d.path.startsWith("[") ? d.path : `.${d.path}`) : ""}`;
    const used = d.referenced ? "  (used by the plan)" : "";
    return "error" in d ? `${where}: ${d.error}` : `${where}: ${show(d.recorded)} → ${show(d.now)}${used}`;
  });
}
