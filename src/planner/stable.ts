/**
 * Re-planning an unchanged goal on an unchanged world must not churn the plan
 * file: when the new plan differs from the file it replaces only in
 * `metadata.createdAt`, the earlier timestamp is kept, so the bytes (and the
 * digest an approval refers to) stay the same.
 */
import { readFile } from "node:fs/promises";
import { parse } from "yaml";
import { renderPlanYaml } from "../schema/render.js";
import type { Plan } from "../schema/types.generated.js";
import { planDigest } from "../validator/digest.js";
import type { PlanResult } from "./types.js";

type Planned = Extract<PlanResult, { ok: true }>;

/** `result` with the createdAt of `previousText` when nothing else changed; else `result` as it is. */
export function keepTimestamp(result: Planned, previousText: string): Planned {
  let previous: Plan;
  try {
    previous = parse(previousText) as Plan;
  } catch {
    return result;
  }
  const earlier = previous?.metadata?.createdAt;
  if (typeof earlier !== "string" || earlier === result.plan.metadata.createdAt) return result;
  const plan: Plan = { ...result.plan, metadata: { ...result.plan.metadata, createdAt: earlier } };
  if (planDigest(plan) !== planDigest(previous)) return result;
  return { ...result, plan, yaml: renderPlanYaml(plan), digest: planDigest(plan) };
}

/** keepTimestamp against the file at `path`, if there is one. */
export async function keepFileTimestamp(result: Planned, path: string): Promise<Planned> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    return result;
  }
  return keepTimestamp(result, text);
}
