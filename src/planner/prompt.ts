/**
 * Prompts are Handlebars templates in prompts/, compiled in strict mode so a
 * missing field is an error rather than an empty hole in what the model reads.
 * Each starts with `{{!-- version: N --}}`; a plan records `decompose@N`.
 */
import { readFile, readdir } from "node:fs/promises";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import Handlebars from "handlebars";
import type { Registry } from "../registry/registry.js";
import type { ToolDefinition } from "../registry/types.js";
import type { ContextEntry } from "../schema/types.generated.js";
import type { ChatMessage, ProbeOutcome } from "./types.js";
import { describeSchema, outputFields } from "./schema-summary.js";
import type { Selection } from "./tool-selection.js";

export const DEFAULT_PROMPTS_DIR = fileURLToPath(new URL("../../prompts/", import.meta.url));

export type TemplateName = "system" | "decompose" | "gather" | "repair";

export interface PromptSet {
  dir: string;
  render(name: TemplateName, data: object): string;
  /** `decompose@1` */
  id(name: TemplateName): string;
  /** The template and every partial it uses, transitively: `decompose@2`, `partials/goal@2`, … */
  ids(name: TemplateName): string[];
}

const cache = new Map<string, Promise<PromptSet>>();

/** Loads and compiles every template of a prompts folder once per process. */
export function loadPrompts(dir = DEFAULT_PROMPTS_DIR): Promise<PromptSet> {
  let set = cache.get(dir);
  if (!set) {
    set = compilePrompts(dir);
    cache.set(dir, set);
    set.catch(() => cache.delete(dir));
  }
  return set;
}

const PARTIAL_USE = /\{\{#?>\s*([\w-]+)/g;

async function compilePrompts(dir: string): Promise<PromptSet> {
  const hbs = Handlebars.create();
  const partialsDir = join(dir, "partials");
  const partials = new Map<string, { version: string; uses: string[] }>();
  for (const file of (await readdir(partialsDir)).filter((f) => f.endsWith(".hbs"))) {
    const { version, body } = await readTemplate(join(partialsDir, file));
    hbs.registerPartial(basename(file, ".hbs"), body);
    partials.set(basename(file, ".hbs"), { version, uses: [...body.matchAll(PARTIAL_USE)].map((m) => m[1]!) });
  }
  const templates = new Map<TemplateName, { version: string; uses: string[]; render: (data: object) => string }>();
  for (const name of ["system", "decompose", "gather", "repair"] as const) {
    const file = join(dir, `${name}.hbs`);
    const { version, body } = await readTemplate(file);
    const compiled = hbs.compile(body, { strict: true, noEscape: true });
    templates.set(name, {
      version,
      uses: [...body.matchAll(PARTIAL_USE)].map((m) => m[1]!),
      render: (data) => {
        try {
          return tidy(compiled(data));
        } catch (cause) {
          throw new Error(`prompt template ${file} failed to render: ${(cause as Error).message}`, { cause });
        }
      },
    });
  }
  const partialIds = (names: string[], seen = new Set<string>()): string[] =>
    names.flatMap((n) => {
      const p = partials.get(n);
      if (!p || seen.has(n)) return [];
      seen.add(n);
      return [`partials/${n}@${p.version}`, ...partialIds(p.uses, seen)];
    });
  return {
    dir,
    render: (name, data) => templates.get(name)!.render(data),
    id: (name) => `${name}@${templates.get(name)!.version}`,
    ids: (name) => [`${name}@${templates.get(name)!.version}`, ...partialIds(templates.get(name)!.uses)],
  };
}

async function readTemplate(file: string): Promise<{ version: string; body: string }> {
  const text = await readFile(file, "utf8");
  const m = /^\{\{!--\s*version:\s*([\w.-]+)\s*--\}\}\r?\n/.exec(text);
  if (!m) throw new Error(`prompt template ${file} must start with {{!-- version: N --}}`);
  return { version: m[1]!, body: text.slice(m[0].length) };
}

/** Blank lines left by block helpers are noise to a model and cost tokens. */
function tidy(text: string): string {
  return `${text.replace(/\n{3,}/g, "\n\n").trim()}\n`;
}

/** Data is JSON-encoded, and `<` escaped, so nothing inside can close a <data> block or pose as an instruction. */
export function asData(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c").replace(/>/g, "\\u003e");
}

export interface ToolView {
  name: string;
  effect: string;
  description: string;
  args: string;
  returns: string;
  undo: string;
}

export function toolView(tool: ToolDefinition): ToolView {
  const comp = tool.compensation;
  return {
    name: tool.name,
    effect: tool.effect,
    description: tool.description.replace(/\s+/g, " ").trim(),
    args: describeSchema(tool.inputSchema),
    returns: outputFields(tool.outputSchema),
    undo: comp ? `${comp.tool} ${JSON.stringify(comp.args)}` : "",
  };
}

export function contextView(context: readonly ContextEntry[]) {
  return context.map((c) => ({ id: c.id, tool: c.tool, args: asData(c.args), output: asData(c.output) }));
}

/** A failed read's id and tool come from the model's read round: they are data like its error. */
export function failedReadView(probes: readonly ProbeOutcome[]): string[] {
  return probes.flatMap((p) => (p.ok ? [] : [asData({ id: p.id, tool: p.tool, args: p.args, error: p.message })]));
}

export interface PromptInput {
  goal: string;
  registry: Registry;
  /** The tools shown in full, and the names of the rest. */
  selection: Selection;
  context: readonly ContextEntry[];
  probes: readonly ProbeOutcome[];
  gather: { allowed: boolean; maxCalls: number };
}

/**
 * The opening conversation. Static instructions come first (the system
 * message never changes, so a server can cache its prefix); the tools, the
 * context and, last, the goal follow.
 */
export function openingMessages(
  prompts: PromptSet,
  template: "decompose" | "gather",
  input: PromptInput,
): ChatMessage[] {
  const data = {
    goal: asData(input.goal),
    tools: input.selection.tools.map(toolView),
    others: byFamily(input.selection.others, input.registry),
    context: contextView(input.context),
    failedReads: failedReadView(input.probes),
    gather: {
      allowed: input.gather.allowed,
      maxCalls: input.gather.maxCalls,
    },
  };
  return [
    { role: "system", content: prompts.render("system", {}) },
    { role: "user", content: prompts.render(template, data) },
  ];
}

/** `sandbox.iam: createUser, listUsers*; sandbox.lb: …` — read-only tools starred. */
function byFamily(names: readonly string[], registry: Registry): string {
  const groups = new Map<string, string[]>();
  for (const name of names) {
    const cut = name.lastIndexOf(".");
    const family = cut > 0 ? name.slice(0, cut) : name;
    const star = registry.get(name)?.effect === "read" ? "*" : "";
    groups.set(family, [...(groups.get(family) ?? []), `${name.slice(cut + 1)}${star}`]);
  }
  return [...groups].map(([family, tools]) => `${family}: ${tools.join(", ")}`).join("; ");
}

export function readTools(registry: Registry): string[] {
  return registry
    .list()
    .filter((t) => t.effect === "read")
    .map((t) => t.name);
}

export function estimateTokens(messages: readonly ChatMessage[]): number {
  return Math.ceil(messages.reduce((n, m) => n + m.content.length, 0) / 4);
}
