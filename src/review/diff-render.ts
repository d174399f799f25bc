import { formatPath } from "../references/index.js";
import type { Change, Rollback, ValueChange } from "./diff.js";
import { cell, code } from "./markdown.js";
import { terminalText } from "./safe-text.js";
import { short } from "./model.js";

export interface DiffHeading {
  file: string;
  old: string;
  new: string;
}

/** Changes grouped as a reviewer reads them: plan, context, steps added/removed, order, per step, edges. */
interface Groups {
  plan: string[];
  context: string[];
  added: string[];
  removed: string[];
  order: string[];
  steps: Map<string, string[]>;
  edges: string[];
}

type Style = { code: (text: string) => string; text: (text: string) => string };
const PLAIN: Style = { code: (t) => t, text: (t) => t };
const MD: Style = { code, text: cell };

function group(changes: Change[], s: Style): Groups {
  const g: Groups = { plan: [], context: [], added: [], removed: [], order: [], steps: new Map(), edges: [] };
  const step = (id: string, line: string) => g.steps.set(id, [...(g.steps.get(id) ?? []), line]);
  const val = (v: unknown, max = 80) => s.code(short(v, max));
  const leaves = (prefix: string, list: ValueChange[]) =>
    list.map((c) => `${s.code([prefix, formatPath(c.path)].filter(Boolean).join(".") || prefix)}: ${leaf(c, val)}`);
  for (const c of changes) {
    switch (c.kind) {
      case "metadata-changed":
        g.plan.push(`${c.field}: ${val(c.old, 300)} → ${val(c.new, 300)}`);
        break;
      case "confirmation-changed":
        g.plan.push(`requiresConfirmation: ${c.old} → ${c.new}`);
        break;
      case "context-added":
        g.context.push(`added ${s.code(c.id)} (${s.code(c.tool)})`);
        break;
      case "context-removed":
        g.context.push(`removed ${s.code(c.id)} (${s.code(c.tool)})`);
        break;
      case "context-changed":
        for (const l of c.field === "tool" ? [`tool: ${leaf(c.changes[0]!, val)}`] : leaves(c.field, c.changes))
          g.context.push(`${s.code(c.id)} ${l}`);
        break;
      case "step-added":
        g.added.push(
          `${s.code(c.id)} (${s.code(c.tool)})${c.dependsOn.length > 0 ? ` after ${c.dependsOn.map(s.code).join(", ")}` : ""}${c.risky ? " — RISKY" : ""}`,
        );
        break;
      case "step-removed":
        g.removed.push(`${s.code(c.id)} (${s.code(c.tool)})${c.risky ? " — was risky" : ""}`);
        break;
      case "steps-reordered":
        g.order.push(
          `${c.scope === "run" ? "run order" : "file order (run order unchanged)"}: ${c.old.map(s.code).join(" → ")}`,
          `now: ${c.new.map(s.code).join(" → ")}`,
        );
        break;
      case "tool-changed":
        step(c.step, `tool: ${s.code(c.old)} → ${s.code(c.new)}`);
        break;
      case "args-changed":
        for (const l of leaves("args", c.changes)) step(c.step, l);
        break;
      case "outcome-changed":
        step(c.step, `${c.field}: ${leaf(c, val)}`);
        break;
      case "risk-changed":
        step(c.step, c.risky ? "risk: now RISKY (needs confirmation)" : "risk: no longer risky");
        break;
      case "rollback-changed":
        step(c.step, `rollback: ${s.code(rollback(c.old))} → ${s.code(rollback(c.new))}`);
        break;
      case "limits-changed":
        step(c.step, `${c.field}: ${leaf(c, val)}`);
        break;
      case "dependency-added":
        g.edges.push(`added ${s.code(c.from)} → ${s.code(c.to)}`);
        break;
      case "dependency-removed":
        g.edges.push(`removed ${s.code(c.from)} → ${s.code(c.to)}`);
        break;
    }
  }
  return g;
}

function leaf(c: { old?: unknown; new?: unknown }, val: (v: unknown, max?: number) => string): string {
  if (c.old === undefined) return `(none) → ${val(c.new)}`;
  if (c.new === undefined) return `${val(c.old)} → (removed)`;
  return `${val(c.old)} → ${val(c.new)}`;
}

function rollback(r: Rollback | undefined): string {
  if (!r) return "(none declared)";
  if ("none" in r) return `none: ${short(r.none, 60)}`;
  if ("irreversible" in r) return `irreversible: ${short(r.irreversible, 60)}`;
  const args = Object.entries(r.args)
    .map(([k, v]) => `${k}=${short(v, 40)}`)
    .join(" ");
  const call = args ? `${r.tool} ${args}` : r.tool;
  return r.override ? `${call} (override: ${short(r.override, 60)})` : call;
}

function sections(g: Groups): [string, string[]][] {
  return [
    ["Plan", g.plan],
    ["Context", g.context],
    ["Steps added", g.added],
    ["Steps removed", g.removed],
    ["Order", g.order],
    ...[...g.steps].map(([id, lines]): [string, string[]] => [`Step ${id}`, lines]),
    ["Dependencies", g.edges],
  ];
}

export function diffText(changes: Change[], heading: DiffHeading): string {
  const out = [`${heading.file}: ${count(changes)} (${heading.old} → ${heading.new})`];
  for (const [title, lines] of sections(group(changes, PLAIN))) {
    if (lines.length === 0) continue;
    out.push(`  ${title}:`, ...lines.map((l) => `    ${l}`));
  }
  return terminalText(`${out.join("\n")}\n`);
}

export function diffMarkdown(changes: Change[], heading: DiffHeading): string {
  const out = [
    `### Semantic diff of ${code(heading.file)}`,
    "",
    `${count(changes)} · ${code(heading.old)} → ${code(heading.new)}`,
    "",
  ];
  const g = group(changes, MD);
  for (const [title, lines] of sections(g)) {
    if (lines.length === 0) continue;
    const name = title.startsWith("Step ") ? `Step ${code(title.slice(5))}` : title;
    if (title === "Order") out.push(`**${name}**`, "", `- ${lines[0]!}`, `- ${lines[1]!}`, "");
    else out.push(`**${name}**`, "", ...lines.map((l) => `- ${l}`), "");
  }
  return out.join("\n");
}

function count(changes: Change[]): string {
  if (changes.length === 0) return "no behavioural change";
  return `${changes.length} behavioural change${changes.length === 1 ? "" : "s"}`;
}
