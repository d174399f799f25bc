/**
 * Which tools a model is shown for a goal. Small local models have 2k–4k
 * contexts, so the catalogue is ranked and capped instead of sent whole:
 * words of the goal against each tool's name and description, entities the
 * goal names that the probes found (a database called `orders` pulls in the
 * database tools), and every tool a matching offline method would call. The
 * model sees the other tools' names and may ask for them in its read round.
 */
import type { Registry } from "../registry/registry.js";
import type { ToolDefinition } from "../registry/types.js";
import type { MethodLibrary } from "./offline/methods.js";
import type { ProbeOutcome } from "./types.js";

/** Enough for the largest shipped method (a migration calls 9 tools and reads 3); compensations come on top. */
export const DEFAULT_TOOL_CAP = 12;

export interface Selection {
  /** Shown in full, best first. */
  tools: ToolDefinition[];
  /** Compensations of the shown tools: allowed in rollbacks, described by the `undo` line. */
  undoTools: string[];
  /** Every other tool, by name only. */
  others: string[];
}

export interface SelectOptions {
  methods?: MethodLibrary;
  probes?: readonly ProbeOutcome[];
  cap?: number;
  /** Tools the model asked for in its read round: always shown. */
  requested?: readonly string[];
}

const STOP = new Set(
  "a an and are as at be by for from in into is it its of on or our the this to with we all any new old".split(" "),
);

/** `listSubnets` → `list subnets`; plurals folded so "databases" meets "database". */
export function words(text: string): string[] {
  return text
    .replace(/([a-z])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 1 && !STOP.has(w))
    .map((w) => (w.length > 3 && w.endsWith("s") && !w.endsWith("ss") ? w.slice(0, -1) : w));
}

export function selectTools(goal: string, registry: Registry, options: SelectOptions = {}): Selection {
  const all = registry.list();
  const cap = options.cap ?? DEFAULT_TOOL_CAP;
  const goalWords = new Set(words(goal));
  const score = new Map<string, number>(all.map((t) => [t.name, 0]));
  const add = (name: string, n: number) => score.has(name) && score.set(name, score.get(name)! + n);

  for (const tool of all) {
    const name = new Set(words(tool.name));
    const text = new Set(words(tool.description));
    for (const w of goalWords) {
      if (name.has(w)) add(tool.name, 3);
      else if (text.has(w)) add(tool.name, 1);
    }
  }
  // An entity the goal names, found in what a probe read, makes that tool's family relevant.
  for (const probe of entityProbes(goal, options.probes ?? [])) {
    const family = familyOf(probe.entry.tool);
    for (const tool of all) if (familyOf(tool.name) === family) add(tool.name, 2);
  }
  const { steps, probes } = toolsOfMatchingMethods(goal, options.methods);
  for (const name of steps) add(name, 10);
  // A method's reads are already in the context; they rank as reads, not as steps.
  for (const name of probes) add(name, 2);

  const requested = new Set((options.requested ?? []).filter((n) => score.has(n)));
  const ranked = all
    .filter((t) => !requested.has(t.name) && score.get(t.name)! > 0)
    .sort((a, b) => score.get(b.name)! - score.get(a.name)! || a.name.localeCompare(b.name));
  const chosen = [...all.filter((t) => requested.has(t.name)), ...ranked.slice(0, cap)];
  const shown = new Set(chosen.map((t) => t.name));
  const undoTools = [
    ...new Set(chosen.flatMap((t) => (t.compensation && !shown.has(t.compensation.tool) ? [t.compensation.tool] : []))),
  ];
  return {
    tools: chosen,
    undoTools,
    others: all.map((t) => t.name).filter((n) => !shown.has(n)),
  };
}

/** `sandbox.db.create` → `sandbox.db`. */
function familyOf(name: string): string {
  return name.split(".").slice(0, -1).join(".") || name;
}

/**
 * Tools the offline methods whose pattern matches the goal would call, their
 * probes' and alternatives' included. A goal worded unlike every pattern
 * still pulls in a method whose name and examples share most of its words.
 */
function toolsOfMatchingMethods(
  goal: string,
  methods: MethodLibrary | undefined,
): { steps: Set<string>; probes: Set<string> } {
  const out = new Set<string>();
  const reads = new Set<string>();
  if (!methods) return { steps: out, probes: reads };
  const goalWords = new Set(words(goal));
  const seen = new Set<string>();
  const visit = (task: string) => {
    if (seen.has(task)) return;
    seen.add(task);
    for (const m of methods.byTask.get(task) ?? []) {
      for (const p of m.probes ?? []) reads.add(p.tool);
      for (const sub of m.subtasks) {
        if ("task" in sub) visit(sub.task);
        else if (typeof sub.tool === "string") out.add(sub.tool);
      }
    }
  };
  for (const m of methods.methods) {
    // Read loosely: method files have carried goal patterns, and intents with verbs; either may be absent.
    const loose = m as unknown as { patterns?: RegExp[]; intent?: { verbs?: string[]; words?: string[] } };
    const byPattern = (loose.patterns ?? []).some((p) => p.test(goal.trim()));
    const text = new Set(
      words(
        [
          m.name,
          ...(m.examples ?? []).map((e) => e.goal),
          ...(loose.intent?.verbs ?? []),
          ...(loose.intent?.words ?? []),
        ].join(" "),
      ),
    );
    const shared = [...goalWords].filter((w) => text.has(w)).length;
    if (byPattern || (goalWords.size > 0 && shared / goalWords.size >= 0.6)) visit(m.task);
  }
  return { steps: out, probes: reads };
}

/**
 * Probes whose output holds, as a whole value, a name the goal mentions
 * (`orders`, `checkout`), ignoring values most probes hold (regions).
 */
function entityProbes(goal: string, probes: readonly ProbeOutcome[]) {
  const tokens = new Set(
    goal
      .toLowerCase()
      .split(/[^a-z0-9._-]+/)
      .map((t) => t.replace(/^[._-]+|[._-]+$/g, ""))
      .filter((t) => t.length > 1 && !STOP.has(t)),
  );
  const read = probes.flatMap((p) => (p.ok ? [p] : []));
  const valuesOf = new Map(read.map((p) => [p, stringValues(p.entry.output)]));
  const df = new Map<string, number>();
  for (const values of valuesOf.values()) for (const v of values) if (tokens.has(v)) df.set(v, (df.get(v) ?? 0) + 1);
  const common = Math.max(2, Math.ceil(read.length / 3));
  return read.filter((p) => [...valuesOf.get(p)!].some((v) => tokens.has(v) && df.get(v)! <= common));
}

function stringValues(value: unknown, out = new Set<string>()): Set<string> {
  if (typeof value === "string") out.add(value.toLowerCase());
  else if (Array.isArray(value)) for (const v of value) stringValues(v, out);
  else if (value && typeof value === "object") for (const v of Object.values(value)) stringValues(v, out);
  return out;
}

/**
 * The reads worth showing: those of a shown tool's family, or whose output
 * names something the goal names. The rest cost tokens and make the plan's
 * context (re-read before a run) touchier than it needs to be.
 */
export function relevantProbes(goal: string, probes: readonly ProbeOutcome[], selection: Selection): ProbeOutcome[] {
  const families = new Set(selection.tools.filter((t) => t.effect !== "read").map((t) => familyOf(t.name)));
  const entities = new Set<ProbeOutcome>(entityProbes(goal, probes));
  return probes.filter((p) => entities.has(p) || families.has(familyOf(p.ok ? p.entry.tool : p.tool)));
}
