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

export const DEFAULT_PROMPTS_DIR = fileURLToPath(new URL("../../prompts/", import.meta.url));

export type TemplateName = "system" | "decompose" | "gather" | "repair";

export interface PromptSet {
  dir: string;
  render(name: TemplateName, data: object): string;
  /** `decompose@1` */
  id(name: TemplateName): string;
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

async function compilePrompts(dir: string): Promise<PromptSet> {
  const hbs = Handlebars.create();
  const partialsDir = join(dir, "partials");
  for (const file of (await readdir(partialsDir)).filter((f) => f.endsWith(".hbs"))) {
    hbs.registerPartial(basename(file, ".hbs"), await readTemplate(join(partialsDir, file)).then((t) => t.body));
  }
  const templates = new Map<TemplateName, { version: string; render: (data: object) => string }>();
  for (const name of ["system", "decompose", "gather", "repair"] as const) {
    const file = join(dir, `${name}.hbs`);
    const { version, body } = await readTemplate(file);
    const compiled = hbs.compile(body, { strict: true, noEscape: true });
    templates.set(name, {
      version,
      render: (data) => {
        try {
          return tidy(compiled(data));
        } catch (cause) {
          throw new Error(`prompt template ${file} failed to render: ${(cause as Error).message}`, { cause });
        }
      },
    });
  }
  return {
    dir,
    render: (name, data) => templates.get(name)!.render(data),
    id: (name) => `${name}@${templates.get(name)!.version}`,
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
  example: string;
}

export function toolView(tool: ToolDefinition): ToolView {
  const example = tool.manifest.examples?.[0];
  const comp = tool.compensation;
  return {
    name: tool.name,
    effect: tool.effect,
    description: tool.description.replace(/\s+/g, " ").trim(),
    args: describeSchema(tool.inputSchema),
    returns: outputFields(tool.outputSchema),
    undo: comp ? `${comp.tool} ${JSON.stringify(comp.args)}` : "",
    example: example ? JSON.stringify(example.args) : "",
  };
}

export function contextView(context: readonly ContextEntry[]) {
  return context.map((c) => ({ id: c.id, tool: c.tool, args: asData(c.args), output: asData(c.output) }));
}

export function failedProbeView(probes: readonly ProbeOutcome[]) {
  return probes.flatMap((p) => (p.ok ? [] : [{ id: p.id, tool: p.tool, message: asData(p.message) }]));
}

export interface PromptInput {
  goal: string;
  registry: Registry;
  context: readonly ContextEntry[];
  probes: readonly ProbeOutcome[];
  gather: { allowed: boolean; maxCalls: number };
}

/** The opening conversation: system rules, then the decompose (or post-gather) request. */
export function openingMessages(
  prompts: PromptSet,
  template: "decompose" | "gather",
  input: PromptInput,
): ChatMessage[] {
  const tools = input.registry.list();
  const data = {
    goal: asData(input.goal),
    tools: tools.map(toolView),
    context: contextView(input.context),
    failedProbes: failedProbeView(input.probes),
    gather: {
      allowed: input.gather.allowed,
      maxCalls: input.gather.maxCalls,
      tools: tools
        .filter((t) => t.effect === "read")
        .map((t) => t.name)
        .join(", "),
    },
  };
  return [
    { role: "system", content: prompts.render("system", {}) },
    { role: "user", content: prompts.render(template, data) },
  ];
}

export function estimateTokens(messages: readonly ChatMessage[]): number {
  return Math.ceil(messages.reduce((n, m) => n + m.content.length, 0) / 4);
}
