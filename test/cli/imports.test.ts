// Each command loads only what it uses: no openai SDK, MCP SDK or promptfoo on paths that do not
// call them. The child process records every module it resolves (fixtures/record-imports.mjs).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { GOAL, REPO, spawn, tempDir } from "./helpers.js";

const dir = tempDir();
let n = 0;

async function modulesLoadedBy(command: string, ...args: string[]): Promise<string[]> {
  return modulesLoadedWith({}, command, ...args);
}

async function modulesLoadedWith(env: NodeJS.ProcessEnv, command: string, ...args: string[]): Promise<string[]> {
  const record = join(dir, `imports-${++n}.txt`);
  const hook = pathToFileURL(join(REPO, "test/cli/fixtures/record-imports.mjs")).href;
  const { code, stderr } = await spawn(
    process.execPath,
    ["--import", "tsx", "--import", hook, `src/${command}.ts`, ...args],
    { env: { ...env, PLANFILE_RECORD_IMPORTS: record } },
  );
  expect(code, stderr).toBeLessThan(70);
  return readFileSync(record, "utf8").split("\n").filter(Boolean);
}

const heavy = (urls: string[]) =>
  urls.filter((u) => /node_modules\/(openai|@modelcontextprotocol|promptfoo|handlebars)\//.test(u));

describe("start-up loads only what a command uses", { timeout: 180_000 }, () => {
  it("--help imports no library at all, only src/cli", async () => {
    const urls = await modulesLoadedBy("run", "--help");
    const ours = urls.filter((u) => u.startsWith(pathToFileURL(join(REPO, "src")).href));
    expect(ours).toContain(pathToFileURL(join(REPO, "src/run.ts")).href);
    // The CLI helpers, and two tiny modules they name (the config file's name, the symlink switch).
    expect(
      ours.filter((u) => !/\/src\/(run\.ts|cli\/|errors\.ts|config\/file\.ts|schema\/read-file\.ts)/.test(u)),
    ).toEqual([]);
    // tsx itself, and the esbuild it requires, are the launcher's, not ours.
    expect(urls.filter((u) => u.includes("/node_modules/") && !/\/node_modules\/(tsx|esbuild)\//.test(u))).toEqual([]);
  });

  it("validate loads no LLM SDK, MCP SDK or promptfoo, and no tool handler (it never calls a tool)", async () => {
    const urls = await modulesLoadedBy("validate", "plans/migrate-orders.yaml");
    expect(urls.some((u) => u.includes("/node_modules/yaml/"))).toBe(true);
    expect(heavy(urls)).toEqual([]);
    expect(urls.filter((u) => u.includes("/tools/") || u.includes("/node_modules/pg/"))).toEqual([]);
  });

  it("validate compiles schemas with ajv once; later runs load the compiled validators from the cache", async () => {
    const env = { PLANFILE_CACHE_DIR: join(dir, "cache") };
    const compiler = (urls: string[]) => urls.filter((u) => /\/node_modules\/ajv\/dist\/(2020|core)\.js$/.test(u));
    const cold = await modulesLoadedWith(env, "validate", "plans/migrate-orders.yaml");
    expect(compiler(cold)).not.toEqual([]);
    const warm = await modulesLoadedWith(env, "validate", "plans/migrate-orders.yaml");
    expect(compiler(warm)).toEqual([]);
    // What the cached validators still need: ajv's small runtime helpers and the format checks.
    expect(warm.some((u) => u.includes("/node_modules/ajv-formats/dist/formats.js"))).toBe(true);
  });

  it("plan without a model loads neither the openai SDK nor the MCP SDK", async () => {
    const urls = await modulesLoadedBy("plan", "--offline", "--state-dir", dir, GOAL);
    // Handlebars (the prompt templates) still comes with the planner module; it is small.
    expect(heavy(urls).filter((u) => !u.includes("/handlebars/"))).toEqual([]);
  });

  it("run of a sandbox plan does not load the MCP SDK or openai", async () => {
    const urls = await modulesLoadedBy("run", "--dry-run", "--state-dir", dir, "plans/migrate-orders.yaml");
    expect(heavy(urls)).toEqual([]);
  });
});
