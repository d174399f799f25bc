import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { loadManifest, type Registry } from "../../../src/registry/index.js";

/**
 * Loads test/fixtures/kinds/<name>.tools.yaml after replacing `@KEY@`
 * placeholders with values only known at run time (a port, a temp dir); the
 * copy lives in `dir`.
 */
export async function loadFixture(
  registry: Registry,
  name: string,
  dir: string,
  values: Record<string, string>,
): Promise<string> {
  let text = await readFile(new URL(`../../fixtures/kinds/${name}.tools.yaml`, import.meta.url), "utf8");
  for (const [key, value] of Object.entries(values)) text = text.split(`@${key}@`).join(value);
  const file = join(dir, `${name}.tools.yaml`);
  await writeFile(file, text);
  await loadManifest(registry, file);
  return file;
}
