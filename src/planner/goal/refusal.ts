/**
 * Refusals that help: what was wrong with the goal, the closest method and
 * what it needs, and where possible a corrected goal to paste. Never an
 * internal expression error, never more of the goal than a few words.
 */
import { distance } from "fastest-levenshtein";
import type { Method, MethodLibrary } from "../offline/methods.js";
import { FOREIGN } from "./lexicon.js";
import type { MethodReading, StrayWord } from "./read-method.js";
import { describeSlot, knownOf, suggest, typeWord } from "./suggest.js";
import type { World } from "./world.js";
import type { Tokens } from "./words.js";

export type RefusalReason = "NO_METHOD" | "UNKNOWN_ENTITY" | "MISSING_SLOT" | "AMBIGUOUS" | "EXTRA_INSTRUCTION";

export interface Refusal {
  reason: RefusalReason;
  message: string;
  /** The closest method, when one was. */
  method?: string;
  /** A corrected goal the user can paste. */
  suggestion?: string;
  /** For NO_METHOD: the goal with a misspelt verb corrected, worth reading again for a suggestion. */
  retry?: string;
}

const SHOWN = 10;

function needs(method: Method): string {
  const slots = Object.entries(method.slots ?? {}).filter(([, s]) => !s.optional && s.default === undefined);
  const given = slots.filter(([, s]) => !s.infer).map(([n]) => describeSlot(method, n));
  const inferred = slots.filter(([, s]) => s.infer).map(([n]) => describeSlot(method, n));
  const parts = [
    ...(given.length > 0 ? [`needs: ${given.join(", ")}`] : []),
    ...(inferred.length > 0 ? [`infers when not given: ${inferred.join(", ")}`] : []),
  ];
  return `closest method: ${method.name}${parts.length > 0 ? ` (${parts.join("; ")})` : ""}`;
}

function listed(names: readonly string[]): string {
  if (names.length === 0) return "none";
  const shown = names.slice(0, SHOWN).join(", ");
  return names.length > SHOWN ? `${shown} and ${names.length - SHOWN} more` : shown;
}

/** A goal with every value filled can be pasted as it is; one with `<placeholders>` shows the wording. */
function offer(s: { text: string; sure: boolean } | undefined, lead = "did you mean"): string[] {
  if (!s) return [];
  return [s.text.includes("<") ? `say it like: ${s.text}` : `${lead}: ${s.text}?`];
}

function slot(r: MethodReading, world: World): Refusal {
  const p = r.problem!;
  const method = r.method;
  const what = describeSlot(method, p.slot);
  const type = method.slots![p.slot]!.type;
  const lines: string[] = [];
  let reason: RefusalReason;
  let fix: Parameters<typeof suggest>[2] = { slot: p.slot };
  if (p.kind === "unknown") {
    reason = "UNKNOWN_ENTITY";
    lines.push(`there is no ${typeWord(type)} named ${p.said} (known: ${listed(knownOf(world, type))})`);
    fix = { slot: p.slot, said: p.said };
  } else if (p.kind === "missing" && p.candidates.length > 1) {
    reason = "AMBIGUOUS";
    lines.push(`which ${what}? the goal does not say, and more than one fits: ${listed(p.candidates)}`);
    fix = { slot: p.slot, candidates: p.candidates };
  } else if (p.kind === "missing") {
    reason = "MISSING_SLOT";
    const like = type === "version" ? " (like 1.2.3)" : type === "count" ? " (a number)" : "";
    lines.push(`the goal does not say which ${what}${like}; ${method.name} needs one`);
    fix = { slot: p.slot, candidates: p.candidates };
  } else if (p.kind === "too-many") {
    reason = "AMBIGUOUS";
    lines.push(
      `the goal names more than one ${what} (${p.said.join(", ")}); ${method.name} takes one, so ask for each in its own goal`,
    );
  } else {
    reason = "MISSING_SLOT";
    lines.push(
      `${JSON.stringify(p.said)} does not make a ${what}: use letters and digits, at most three words (e.g. Dana Ruiz)`,
    );
  }
  const s = p.kind === "too-many" || p.kind === "bad-name" ? undefined : suggest(r, world, fix);
  // When several fit, offer each (a few), not one picked for the user.
  const others =
    p.kind === "missing" && p.candidates.length > 1
      ? p.candidates
          .slice(1, 3)
          .map((c) => suggest(r, world, { slot: p.slot, candidates: [c] }))
          .filter((o) => o && !o.text.includes("<"))
          .map((o) => `or: ${o!.text}?`)
      : [];
  return {
    reason,
    message: [...lines, needs(method), ...offer(s), ...others].join("\n"),
    method: method.name,
    suggestion: s?.text,
  };
}

function stray(r: MethodReading, words: StrayWord[], world: World): Refusal {
  const s = r.problem ? undefined : suggest(r, world);
  const quote = (kind: StrayWord["kind"]) =>
    [...new Set(words.filter((w) => w.kind === kind).map((w) => JSON.stringify(w.text)))].join(", ");
  const lines: string[] = [];
  if (quote("negation"))
    lines.push(
      `the goal says ${quote("negation")}: planfile never plans what a goal says not to do; say only what should be done`,
    );
  if (quote("destructive"))
    lines.push(
      `the goal also says ${quote("destructive")}, which ${r.method.name} does not do; planfile plans one task per goal, never a destructive or steering ask that no method declares`,
    );
  if (quote("condition"))
    lines.push(
      `the goal sets a condition (${quote("condition")}) that ${r.method.name} cannot honour; its plan would not respect it`,
    );
  return {
    reason: "EXTRA_INSTRUCTION",
    message: [...lines, needs(r.method), ...offer(s, "did you mean only")].join("\n"),
    method: r.method.name,
    suggestion: s?.text,
  };
}

function twoTasks(a: MethodReading, b: MethodReading, world: World): Refusal {
  const sa = a.problem ? undefined : suggest(a, world);
  const sb = b.problem ? undefined : suggest(b, world);
  return {
    reason: "EXTRA_INSTRUCTION",
    message: [
      `the goal asks for two tasks, ${a.method.name} and ${b.method.name}; plan each with its own goal`,
      ...(sa ? [`first: ${sa.text}`] : []),
      ...(sb ? [`then: ${sb.text}`] : []),
    ].join("\n"),
    method: a.method.name,
  };
}

function tie(a: MethodReading, b: MethodReading, world: World): Refusal {
  const sa = suggest(a, world);
  const sb = suggest(b, world);
  return {
    reason: "AMBIGUOUS",
    message: [
      `the goal reads as ${a.method.name} or as ${b.method.name}; say which`,
      ...(sa ? [`did you mean: ${sa.text}?`] : []),
      ...(sb ? [`or: ${sb.text}?`] : []),
    ].join("\n"),
    method: a.method.name,
  };
}

function noMethod(_goal: string, tokens: Tokens, library: MethodLibrary): Refusal {
  const goalMethods = library.methods.filter((m) => m.intent);
  const lines = [
    "no method matches this goal; configure an LLM with OPENAI_API_KEY (and OPENAI_BASE_URL, PLANFILE_MODEL) or add a method in tools/methods/*.methods.yaml.",
  ];
  const foreign = tokens.words.filter((w) => FOREIGN.has(w.lower)).length;
  if (foreign >= 2 || /[^\p{Script=Latin}\p{N}\p{P}\p{S}\s]/u.test(tokens.words.map((w) => w.text).join(" ")))
    lines.push("The offline methods read goals in English.");
  let near: { method: Method; said: string; verb: string } | undefined;
  for (const part of tokens.words) {
    if (near || part.lower.length < 5 || !/^\p{L}+$/u.test(part.lower)) continue;
    for (const method of goalMethods)
      for (const verb of method.intent!.verbs)
        if (!verb.includes(" ") && distance(part.lower, verb.toLowerCase()) <= 2 && verb.length >= 5)
          near ??= { method, said: part.lower, verb };
  }
  if (near)
    lines.push(
      `closest method: ${near.method.name} (${JSON.stringify(near.said)} looks like ${JSON.stringify(near.verb)})`,
    );
  const retry = near && tokens.words.map((w) => (w.lower === near.said ? near.verb : w.text)).join(" ");
  const known = goalMethods.map((m) => `  ${m.name}: ${m.examples?.[0] ? `"${m.examples[0].goal}"` : (m.say ?? "")}`);
  lines.push(
    known.length > 0
      ? `Goals the offline methods know, for example:\n${known.join("\n")}`
      : "No offline methods are loaded.",
  );
  return { reason: "NO_METHOD", message: lines.join("\n"), method: near?.method.name, retry };
}

export const refuse = { slot, stray, twoTasks, tie, noMethod };
