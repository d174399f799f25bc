/**
 * The entities a goal may name, read from the world by each entity type's
 * list tool (read-only, in parallel, within the planner's read budget). Only
 * the types the candidate methods' slots need are read.
 */
import { getPath } from "../../references/index.js";
import type { Registry } from "../../registry/registry.js";
import { gather, type GatherLimits, type ProbeCall } from "../gather.js";
import type { EntityType, MethodLibrary } from "../offline/methods.js";
import type { ProbeOutcome } from "../types.js";

export interface Entity {
  type: string;
  name: string;
  /** The listed item, for `infer` and messages. */
  item: Record<string, unknown>;
  aliases: string[];
}

/** Per entity type: its entities, or why they could not be listed (then names of that type are taken on trust). */
export type World = Map<string, { entities: Entity[] } | { entities?: undefined; error: string }>;

export async function readWorld(
  registry: Registry,
  library: MethodLibrary,
  types: Iterable<string>,
  limits: GatherLimits,
): Promise<{ world: World; probes: ProbeOutcome[] }> {
  // Types listed by the same call (several from one catalogue) share one read.
  const calls = new Map<string, ProbeCall & { types: string[] }>();
  for (const type of types) {
    const list = library.entities.get(type)?.list;
    if (!list) continue;
    const key = `${list.tool} ${stableJson(list.args ?? {})}`;
    const call = calls.get(key);
    if (call) call.types.push(type);
    else calls.set(key, { id: `entities-${type}`, tool: list.tool, args: list.args ?? {}, types: [type] });
  }
  const list = [...calls.values()];
  const probes =
    list.length > 0
      ? await gather(
          registry,
          list.map(({ id, tool, args }) => ({ id, tool, args })),
          { ...limits, maxCalls: limits.maxProbes },
        )
      : [];
  const world: World = new Map();
  probes.forEach((outcome, i) => {
    for (const type of list[i]!.types) {
      if (!outcome.ok) world.set(type, { error: outcome.message });
      else world.set(type, listEntities(type, library.entities.get(type)!, outcome.entry.output));
    }
  });
  return { world, probes };
}

/** A list tool's output as entities; an output of the wrong shape is reported, not guessed at. */
export function listEntities(
  type: string,
  declared: EntityType,
  output: unknown,
): { entities: Entity[] } | { error: string } {
  const list = declared.list!;
  const found = getPath(output, list.items.split("."));
  if (!found.found || !Array.isArray(found.value))
    return { error: `${list.tool} returned no array at \`${list.items}\`` };
  const entities: Entity[] = [];
  for (const raw of found.value) {
    if (!raw || typeof raw !== "object") continue;
    const item = raw as Record<string, unknown>;
    const name = item[list.name ?? "name"];
    if (typeof name !== "string" || name === "") continue;
    let aliases: string[] = [];
    if (declared.aliasProgram) {
      try {
        const value = declared.aliasProgram({ item });
        aliases = (Array.isArray(value) ? value : [value]).filter(
          (a): a is string => typeof a === "string" && a !== "" && a !== name,
        );
      } catch {
        // An item the alias expression cannot read keeps its own name only.
      }
    }
    entities.push({ type, name, item, aliases });
  }
  entities.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { entities };
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(",")}]`;
  if (value && typeof value === "object")
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  return JSON.stringify(value);
}
