/**
 * Loads the offline planner's methods: `*.methods.yaml` files beside the
 * tools, checked against schemas/method.schema.json, with CEL, entity shapes
 * and intents compiled up front so a broken method fails at load naming its file.
 */
import { readdir, readFile } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { parse, type CelProgram } from "./cel.js";
import { ManifestError } from "../../errors.js";
import { locatedSchemaErrors, SCHEMA_DIR, sharedAjv } from "../../schema/ajv.js";
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

/** How a goal names a method's task; see schemas/method.schema.json#/$defs/Intent. */
export interface Intent {
  verbs: string[];
  words?: string[];
}

/** A typed value a goal gives a method; see schemas/method.schema.json#/$defs/Slot. */
export interface Slot {
  type: string;
  cues?: string[];
  infer?: string;
  default?: unknown;
  optional?: boolean;
  join?: string;
  describe?: string;
}

/** A kind of thing goals name (a database, a region), and how to list the ones the world has. */
export interface EntityType {
  nouns?: string[];
  shape?: string;
  list?: { tool: string; args?: Record<string, unknown>; items: string; name?: string; aliases?: string };
  /** Filled at load. */
  file: string;
  shapeRegex?: RegExp;
  aliasProgram?: CelProgram;
}

export interface Method {
  name: string;
  task: string;
  description?: string;
  intent?: Intent;
  slots?: Record<string, Slot>;
  say?: string;
  examples?: { goal: string; fixture?: string; fails?: string }[];
  probes?: ProbeTemplate[];
  let?: Record<string, string>;
  when?: string;
  otherwise?: string;
  require?: { that: string; otherwise: string }[];
  subtasks: (StepTemplate | TaskRef)[];
  /** Filled at load. */
  file: string;
  programs: Map<string, CelProgram>;
}

/** What one `*.methods.yaml` file declares. */
export interface MethodFile {
  methods: Method[];
  entities: Map<string, EntityType>;
}

export interface MethodLibrary {
  methods: Method[];
  /** Entity types slots refer to, from every file. */
  entities: Map<string, EntityType>;
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
  const parsed: MethodFile[] = [];
  for (const file of files)
    parsed.push(parseMethodFile(await readFile(file, "utf8"), relative(process.cwd(), file) || file));
  return library(parsed);
}

/** The methods of one file (its entity types are dropped; see `parseMethodFile`). */
export function parseMethods(text: string, file: string): Method[] {
  return parseMethodFile(text, file).methods;
}

export function parseMethodFile(text: string, file: string): MethodFile {
  const parsed = parseYamlSource(text, file);
  if (!parsed.ok)
    throw new ManifestError(file, parsed.problems.map((p) => `${p.line}:${p.col} ${p.message}`).join("; "));
  const validate = methodSetValidator();
  if (!validate(parsed.data)) {
    const lines = locatedSchemaErrors((validate.errors ?? []).slice(0, 5), parsed.source);
    throw new ManifestError(file, `not a valid method file (schemas/method.schema.json): ${lines.join("; ")}`);
  }
  const set = parsed.data as {
    methods: Omit<Method, "file" | "programs">[];
    entities?: Record<string, Omit<EntityType, "file" | "shapeRegex" | "aliasProgram">>;
  };
  const entities = new Map<string, EntityType>();
  for (const [type, declared] of Object.entries(set.entities ?? {})) {
    const fail = (what: string, cause: unknown) =>
      new ManifestError(file, `entity type ${type}: ${what}: ${(cause as Error).message}`, { cause });
    const entity: EntityType = { ...declared, file };
    if (declared.shape)
      try {
        entity.shapeRegex = new RegExp(`^(?:${declared.shape})$`, "i");
      } catch (cause) {
        throw fail(`shape ${JSON.stringify(declared.shape)} is not a regular expression`, cause);
      }
    if (declared.list?.aliases)
      try {
        entity.aliasProgram = parse(declared.list.aliases);
      } catch (cause) {
        throw fail(`aliases \`${declared.list.aliases}\` is not valid CEL`, cause);
      }
    entities.set(type, entity);
  }
  const methods = set.methods.map((m) => {
    const fail = (what: string, cause: unknown) =>
      new ManifestError(file, `method ${m.name}: ${what}: ${(cause as Error).message}`, { cause });
    const programs = new Map<string, CelProgram>();
    for (const expr of [
      ...Object.values(m.let ?? {}),
      ...(m.when ? [m.when] : []),
      ...(m.require ?? []).map((r) => r.that),
      ...Object.values(m.slots ?? {}).flatMap((s) => (s.infer ? [s.infer] : [])),
    ]) {
      try {
        programs.set(expr, parse(expr));
      } catch (cause) {
        throw fail(`\`${expr}\` is not valid CEL`, cause);
      }
    }
    return { ...m, file, programs };
  });
  return { methods, entities };
}

const BUILT_IN_TYPES = new Set(["version", "count", "name"]);

/** Methods from several files (or bare methods, with no entity types), checked as one library. */
export function library(parts: (MethodFile | Method)[]): MethodLibrary {
  const methods: Method[] = [];
  const entities = new Map<string, EntityType>();
  for (const part of parts) {
    if (!("entities" in part && part.entities instanceof Map)) {
      methods.push(part as Method);
      continue;
    }
    methods.push(...part.methods);
    for (const [type, entity] of part.entities) {
      const other = entities.get(type);
      if (other) throw new ManifestError(entity.file, `entity type ${type} is declared twice (also in ${other.file})`);
      entities.set(type, entity);
    }
  }
  const byTask = new Map<string, Method[]>();
  const names = new Map<string, string>();
  for (const m of methods) {
    const other = names.get(m.name);
    if (other) throw new ManifestError(m.file, `method ${m.name} is declared twice (also in ${other})`);
    names.set(m.name, m.file);
    byTask.set(m.task, [...(byTask.get(m.task) ?? []), m]);
  }
  for (const m of methods) {
    for (const [slot, { type }] of Object.entries(m.slots ?? {}))
      if (!BUILT_IN_TYPES.has(type) && !entities.has(type))
        throw new ManifestError(
          m.file,
          `method ${m.name}: slot ${slot} has type \`${type}\`, which no \`entities:\` section declares; known: ${[...BUILT_IN_TYPES, ...entities.keys()].join(", ")}`,
        );
    for (const sub of m.subtasks) {
      if ("task" in sub && !byTask.has(sub.task))
        throw new ManifestError(
          m.file,
          `method ${m.name}: subtask \`${sub.task}\` has no method; known tasks: ${[...byTask.keys()].join(", ")}`,
        );
    }
  }
  return { methods, entities, byTask };
}
