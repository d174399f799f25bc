import { readdir, readFile } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ManifestError } from "../errors.js";
import { locatedSchemaErrors, sharedAjv, toolSetSchemaValidator } from "../schema/ajv.js";
import { parseYamlSource } from "../schema/source.js";
import type { ToolSet } from "../schema/types.generated.js";
import { findReferences } from "../references/index.js";
import { cachedManifest, cacheManifest, manifestKey } from "./manifest-cache.js";
import { Registry, toDefinition } from "./registry.js";
import { kinds } from "./kinds/index.js";
import { loadPolicy } from "../policy/load.js";

export const MANIFEST_SUFFIX = ".tools.yaml";

/** The tools that come with planfile, beside its sources (or its compiled dist/), wherever the command runs from. */
export const DEFAULT_TOOLS_DIR = fileURLToPath(new URL("../../tools/", import.meta.url));

export interface LoadRegistryOptions {
  /** Folder scanned recursively for `*.tools.yaml` manifests (default: the shipped tools/). */
  toolsDir?: string;
  /** Where tools keep state. */
  stateDir?: string;
  /** The operator's risk policy file; default `$PLANFILE_POLICY`, else `planfile.policy.yaml` if present; false for none. */
  policyFile?: string | false;
  /**
   * Import a module tool's handlers on its first call instead of now. For commands that never
   * call a tool (validate, show, upgrade): they then skip importing every handler and what it
   * imports. A command that runs tools keeps the default, so a broken handler module stops it
   * before the first side effect.
   */
  lazyHandlers?: boolean;
}

/** Loads every manifest under `toolsDir`, validating each; a broken one is a ManifestError naming its file. */
export async function loadRegistry(options: LoadRegistryOptions = {}): Promise<Registry> {
  const toolsDir = resolve(options.toolsDir ?? DEFAULT_TOOLS_DIR);
  const registry = new Registry(resolve(options.stateDir ?? ".planfile"));
  registry.policy = loadPolicy(options.policyFile);
  const files = await findManifests(toolsDir);
  for (const file of files) await loadManifest(registry, file, options);
  for (const tool of registry.list()) checkCompensation(registry, tool.name);
  return registry;
}

export async function loadManifest(
  registry: Registry,
  file: string,
  options: Pick<LoadRegistryOptions, "lazyHandlers"> = {},
): Promise<void> {
  const shown = relative(process.cwd(), file) || file;
  const set = checkedToolSet(await readFile(file, "utf8"), shown);
  for (const tool of set.tools) {
    if (!tool.name.startsWith(`${set.name}.`))
      throw new ManifestError(shown, `tool ${tool.name} must be named ${set.name}.<something> (the set's namespace)`);
  }
  const kind = kinds[set.implementation.kind];
  if (!kind) throw new ManifestError(shown, `implementation kind \`${set.implementation.kind}\` is not supported`);
  const { driver, discovered } = await kind.load(set, {
    file,
    stateDir: registry.stateDir,
    lazy: options.lazyHandlers ?? false,
  });
  for (const tool of set.tools) {
    const fromKind = discovered?.get(tool.name);
    if (set.implementation.kind !== "mcp" && (tool.input === undefined || tool.output === undefined)) {
      throw new ManifestError(shown, `tool ${tool.name} needs \`input\` and \`output\` JSON Schemas`);
    }
    try {
      const definition = toDefinition(tool, shown, set.implementation.kind, fromKind, set.localState ?? false);
      registry.add(
        {
          ...definition,
          secretNames: manifestSecretNames([tool, set.implementation]),
          implementation: set.implementation,
        },
        driver,
      );
    } catch (cause) {
      throw new ManifestError(shown, (cause as Error).message, { cause });
    }
  }
}

/**
 * The manifest's tool set: from the cache when exactly this text passed every
 * check before, else parsed with positions (for the error messages) and
 * checked. A cached set is still held to the tool-set schema, a precompiled
 * check of microseconds: the cache saves the parse, it is not trusted blindly.
 */
function checkedToolSet(text: string, shown: string): ToolSet {
  const key = manifestKey(text);
  const cached = cachedManifest(key);
  if (cached !== undefined && toolSetSchemaValidator()(cached)) return cached;
  const set = parseToolSet(text, shown);
  cacheManifest(key, set);
  return set;
}

function parseToolSet(text: string, shown: string): ToolSet {
  const parsed = parseYamlSource(text, shown);
  if (!parsed.ok)
    throw new ManifestError(shown, parsed.problems.map((p) => `${p.line}:${p.col} ${p.message}`).join("; "));
  const validate = toolSetSchemaValidator();
  if (!validate(parsed.data)) {
    const lines = locatedSchemaErrors(validate.errors ?? [], parsed.source);
    throw new ManifestError(shown, `not a valid tool manifest: ${lines.join("; ")}`);
  }
  for (const tool of parsed.data.tools) {
    for (const key of ["input", "output"] as const) {
      const schema = tool[key];
      if (schema !== undefined && !sharedAjv().validateSchema(schema))
        throw new ManifestError(
          shown,
          `tool ${tool.name}: ${key} is not a valid JSON Schema: ${sharedAjv().errorsText()}`,
        );
    }
  }
  return parsed.data;
}

/** Prose and schemas may mention `${{ secrets.NAME }}` to document a tool; only its templates are resolved. */
const NOT_TEMPLATES = new Set(["description", "summary", "inputSchema", "outputSchema", "examples"]);

/** Secrets a manifest's templates name (an http header, an exec tool's env), so the runner can load them. */
function manifestSecretNames(parts: unknown[]): string[] {
  const names = new Set<string>();
  const templates = parts.map((part) =>
    part && typeof part === "object" && !Array.isArray(part)
      ? Object.fromEntries(Object.entries(part).filter(([key]) => !NOT_TEMPLATES.has(key)))
      : part,
  );
  for (const site of findReferences(templates))
    for (const ref of site.refs) if (ref.ok && ref.ref.root === "secrets") names.add(ref.ref.name);
  return [...names].sort();
}

/** A default compensation must itself be a call of a registered tool with well-formed references. */
function checkCompensation(registry: Registry, name: string): void {
  const tool = registry.get(name)!;
  const comp = tool.compensation;
  if (!comp) return;
  if (!registry.has(comp.tool))
    throw new ManifestError(tool.file, `tool ${name}: compensation calls unknown tool ${comp.tool}`);
  for (const site of findReferences(comp.args)) {
    for (const ref of site.refs) {
      if (!ref.ok) throw new ManifestError(tool.file, `tool ${name}: compensation: ${ref.message}`);
      if (ref.ref.root !== "args" && ref.ref.root !== "outputs") {
        throw new ManifestError(
          tool.file,
          `tool ${name}: compensation may only reference \${{ args.<path> }} or \${{ outputs.<path> }}, not \`${ref.ref.text}\``,
        );
      }
    }
  }
}

async function findManifests(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true, recursive: true });
  } catch (cause) {
    throw new ManifestError(dir, "cannot read the tools folder; pass --tools DIR or create tools/", { cause });
  }
  return entries
    .filter((e) => e.isFile() && e.name.endsWith(MANIFEST_SUFFIX))
    .map((e) => join(e.parentPath ?? (e as unknown as { path: string }).path, e.name))
    .sort();
}
