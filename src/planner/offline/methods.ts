/**
 * Loads the offline planner's methods: `*.methods.yaml` files beside the
 * tools, checked against schemas/method.schema.json, with regexes and CEL
 * compiled up front so a broken method fails at load naming its file.
 */
import { readdir, readFile } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { parse, type CelProgram } from "./cel.js";
import { ManifestError } from "../../errors.js";
import { SCHEMA_DIR, sharedAjv } from "../../schema/ajv.js";
import { parseYamlSource } from "../../schema/source.js";
import { readFileSync } from "node:fs";

import type { DraftStep } from "../normalize.js";

export const METHODS_SUFFIX = ".methods.yaml";

/** A method's step before its `{{ }}` placeholders are filled: a draft step whose rollback is still a template. */
export type StepTemplate = Omit<DraftStep, "rollback"> & { rollback?: Record<string, unknown> };

export interface TaskRef {
  id?: string;
  task: string;
  with?: Record<string, unknown>;
  dependsOn?: string[];
}

export interface ProbeTemplate {
  id: string;
  tool: string;
  args?: Record<string, unknown>;
}

export interface Method {
  name: string;
  task: string;
  description?: string;
  goal?: string[];
  examples?: { goal: string; fixture?: string; fails?: string }[];
  params?: Record<string, "lower" | "upper" | "slug" | "region">;
  probes?: ProbeTemplate[];
  let?: Record<string, string>;
  when?: string;
  otherwise?: string;
  require?: { that: string; otherwise: string }[];
  subtasks: (StepTemplate | TaskRef)[];
  /** Filled at load. */
  file: string;
  patterns: RegExp[];
  programs: Map<string, CelProgram>;
}

export interface MethodLibrary {
  methods: Method[];
  /** Alternatives per task, in declaration order. */
  byTask: Map<string, Method[]>;
}

let validator: ReturnType<ReturnType<typeof sharedAjv>["compile"]> | undefined;
function methodSetValidator() {
  return (validator ??= sharedAjv().compile(JSON.parse(readFileSync(`${SCHEMA_DIR}method.schema.json`, "utf8"))));
}

/** Every `*.methods.yaml` under `dir`, recursively; none is an empty library, not an error. */
export async function loadMethods(dir: string): Promise<MethodLibrary> {
  const root = resolve(dir);
  let entries;
  try {
    entries = await readdir(root, { withFileTypes: true, recursive: true });
  } catch {
    return library([]);
  }
  const files = entries
    .filter((e) => e.isFile() && e.name.endsWith(METHODS_SUFFIX))
    .map((e) => join(e.parentPath ?? (e as unknown as { path: string }).path, e.name))
    .sort();
  const methods: Method[] = [];
  for (const file of files)
    methods.push(...parseMethods(await readFile(file, "utf8"), relative(process.cwd(), file) || file));
  return library(methods);
}

export function parseMethods(text: string, file: string): Method[] {
  const parsed = parseYamlSource(text, file);
  if (!parsed.ok)
    throw new ManifestError(file, parsed.problems.map((p) => `${p.line}:${p.col} ${p.message}`).join("; "));
  const validate = methodSetValidator();
  if (!validate(parsed.data)) {
    const lines = (validate.errors ?? []).slice(0, 5).map((e) => {
      const path = e.instancePath
        .split("/")
        .slice(1)
        .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
      const where = parsed.source.locate(path);
      return `${where.line}:${where.col} ${e.instancePath || "/"} ${e.message}`;
    });
    throw new ManifestError(file, `not a valid method file (schemas/method.schema.json): ${lines.join("; ")}`);
  }
  const set = parsed.data as { methods: Omit<Method, "file" | "patterns" | "programs">[] };
  return set.methods.map((m) => {
    const fail = (what: string, cause: unknown) =>
      new ManifestError(file, `method ${m.name}: ${what}: ${(cause as Error).message}`, { cause });
    const patterns = (m.goal ?? []).map((source) => {
      try {
        return new RegExp(source, "i");
      } catch (cause) {
        throw fail(`goal pattern ${JSON.stringify(source)} is not a regular expression`, cause);
      }
    });
    const programs = new Map<string, CelProgram>();
    for (const expr of [
      ...Object.values(m.let ?? {}),
      ...(m.when ? [m.when] : []),
      ...(m.require ?? []).map((r) => r.that),
    ]) {
      try {
        programs.set(expr, parse(expr));
      } catch (cause) {
        throw fail(`\`${expr}\` is not valid CEL`, cause);
      }
    }
    return { ...m, file, patterns, programs };
  });
}

export function library(methods: Method[]): MethodLibrary {
  const byTask = new Map<string, Method[]>();
  const names = new Map<string, string>();
  for (const m of methods) {
    const other = names.get(m.name);
    if (other) throw new ManifestError(m.file, `method ${m.name} is declared twice (also in ${other})`);
    names.set(m.name, m.file);
    byTask.set(m.task, [...(byTask.get(m.task) ?? []), m]);
  }
  for (const m of methods) {
    for (const sub of m.subtasks) {
      if ("task" in sub && !byTask.has(sub.task))
        throw new ManifestError(
          m.file,
          `method ${m.name}: subtask \`${sub.task}\` has no method; known tasks: ${[...byTask.keys()].join(", ")}`,
        );
    }
  }
  return { methods, byTask };
}
