/**
 * Fixtures are YAML worlds in tools/sandbox/fixtures/. A fixture may say
 * `extends: <other>` and list only what differs: mappings merge key by key,
 * lists replace, and `null` removes a key — so `exhausted-subnet` is a few
 * lines over `default` and stays in step with it.
 */
import { existsSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createAjv } from "../../../src/schema/ajv.js";
import { readUntrustedFile } from "../../../src/schema/read-file.js";
import { parseYamlSource, SOURCE_LIMITS, type Problem } from "../../../src/schema/source.js";
import { SandboxError } from "./errors.js";
import { worldSchema } from "./schema.js";
import type { World } from "./types.js";

export const FIXTURE_DIR = fileURLToPath(new URL("../fixtures/", import.meta.url));
export const DEFAULT_FIXTURE = "default";

const EMPTY: Omit<World, "fixture"> = {
  version: 1,
  clock: 0,
  regions: {},
  networks: {},
  subnets: {},
  instances: {},
  databases: {},
  snapshots: {},
  dumps: {},
  buckets: {},
  dnsZones: {},
  secrets: {},
  users: {},
  groups: {},
  services: {},
  loadBalancers: {},
  flags: {},
  calls: [],
  idempotency: {},
};

let validator: ReturnType<ReturnType<typeof createAjv>["compile"]> | undefined;

export function listFixtures(dir: string = FIXTURE_DIR): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .map((f) => f.slice(0, -".yaml".length))
    .sort();
}

/** A fresh world built from a fixture, validated; a broken fixture is a FIXTURE_INVALID naming its file. */
export function worldFromFixture(name: string, dir: string = FIXTURE_DIR): World {
  const raw = mergedFixture(name, [], dir);
  const { extends: _extends, description: _description, ...body } = raw;
  const world = { ...structuredClone(EMPTY), ...body, fixture: name } as World;
  const file = fixtureFile(name, dir);
  validator ??= createAjv().compile(worldSchema);
  if (!validator(world)) {
    const errors = (validator.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message}`).join("; ");
    throw new SandboxError("FIXTURE_INVALID", `${file}: not a valid sandbox world: ${errors}`);
  }
  const broken = danglingReferences(world);
  if (broken.length > 0) throw new SandboxError("FIXTURE_INVALID", `${file}: ${broken.join("; ")}`);
  return world;
}

/** A fixture is named (`exhausted-subnet`, from `dir`) or given as a path to a YAML file of one's own. */
function isPath(name: string): boolean {
  return /[\\/]/.test(name) || /\.ya?ml$/.test(name);
}

function fixtureFile(name: string, dir: string): string {
  return isPath(name) ? resolve(name) : join(dir, `${name}.yaml`);
}

function mergedFixture(name: string, seen: string[], dir: string): Record<string, unknown> {
  const file = fixtureFile(name, dir);
  if (isPath(name) && !existsSync(file))
    throw new SandboxError("FIXTURE_NOT_FOUND", `no fixture file ${name} (${file})`);
  if (!isPath(name) && (!/^[a-z0-9][a-z0-9-]*$/.test(name) || !existsSync(file))) {
    throw new SandboxError(
      "FIXTURE_NOT_FOUND",
      `no sandbox fixture named \`${name}\`; available: ${listFixtures(dir).join(", ")} (or give a path to a YAML file)`,
    );
  }
  if (seen.includes(name))
    throw new SandboxError("FIXTURE_INVALID", `${file}: extends itself through ${[...seen, name].join(" → ")}`);
  // Fixtures are read like plans: no links, no FIFOs, bounded size, strict UTF-8, no unknown tags.
  const read = readUntrustedFile(file, { maxBytes: SOURCE_LIMITS.maxBytes, noun: "fixture" });
  if (!read.ok) throw new SandboxError("FIXTURE_INVALID", located(read.problems));
  const parsed = parseYamlSource(read.text, file);
  if (!parsed.ok) throw new SandboxError("FIXTURE_INVALID", `not valid YAML: ${located(parsed.problems)}`);
  const data = parsed.data;
  if (!isObject(data))
    throw new SandboxError(
      "FIXTURE_INVALID",
      `${file}: a fixture is a mapping of world sections (regions, databases, …)`,
    );
  if (typeof data.extends !== "string") return data;
  // A fixture file of one's own extends a shipped fixture by name, or another file by a path relative to it.
  const base = isPath(data.extends) ? resolve(dirname(file), data.extends) : data.extends;
  return merge(mergedFixture(base, [...seen, name], dir), data) as Record<string, unknown>;
}

function merge(base: unknown, over: unknown): unknown {
  if (!isObject(base) || !isObject(over)) return structuredClone(over);
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (value === null) delete out[key];
    else out[key] = merge(base[key], value);
  }
  return out;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Cross-references JSON Schema cannot check. */
function danglingReferences(w: World): string[] {
  const out: string[] = [];
  const need = (ok: boolean, message: string) => ok || out.push(message);
  for (const [n, s] of Object.entries(w.subnets)) {
    need(
      w.networks[s.network]?.region === s.region,
      `subnet ${n}: network ${s.network} does not exist in region ${s.region}`,
    );
    need(s.reservedIps <= s.totalIps, `subnet ${n}: reservedIps exceeds totalIps`);
  }
  for (const [n, r] of Object.entries({ ...w.instances, ...w.databases })) {
    need(w.subnets[r.subnet]?.region === r.region, `${n}: subnet ${r.subnet} does not exist in region ${r.region}`);
  }
  for (const [n, b] of Object.entries(w.buckets))
    need(w.regions[b.region] !== undefined, `bucket ${n}: unknown region ${b.region}`);
  for (const [n, g] of Object.entries(w.groups))
    for (const m of g.members) need(w.users[m] !== undefined, `group ${n}: unknown member ${m}`);
  for (const [n, lb] of Object.entries(w.loadBalancers))
    for (const t of lb.targets) need(w.instances[t] !== undefined, `load balancer ${n}: unknown target ${t}`);
  for (const [n, s] of Object.entries(w.services)) {
    need(
      !s.loadBalancer || w.loadBalancers[s.loadBalancer] !== undefined,
      `service ${n}: unknown load balancer ${s.loadBalancer}`,
    );
    need(
      Object.keys(s.traffic).every((k) => s.slots[k]),
      `service ${n}: traffic names a slot that does not exist`,
    );
    need(Object.values(s.traffic).reduce((a, b) => a + b, 0) === 100, `service ${n}: traffic weights must sum to 100`);
  }
  return out;
}

function located(problems: Problem[]): string {
  return problems.map((p) => `${p.file}:${p.line}:${p.col}: ${p.message}`).join("; ");
}
