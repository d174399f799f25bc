// Shared set-up of the sandbox tests: a registry over tools/ with a temp state dir per test file.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { loadRegistry, type Registry } from "../../src/registry/index.js";
import { getPath, substitute } from "../../src/references/index.js";

export function tempStateDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "planfile-sandbox-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export async function sandboxRegistry(stateDir: string): Promise<Registry> {
  return loadRegistry({ toolsDir: "tools", stateDir });
}

/** Resolves `${{ args.x }}` / `${{ outputs.x }}` the way the runner does for compensations and verifies. */
export function resolveTemplate(
  template: unknown,
  vars: { args: unknown; outputs?: unknown },
): Record<string, unknown> {
  return substitute(template, (ref) => {
    if (ref.root !== "args" && ref.root !== "outputs") throw new Error(`unexpected reference ${ref.text}`);
    const found = getPath(vars[ref.root], ref.path);
    if (!found.found) throw new Error(`${ref.text} does not resolve`);
    return found.value;
  }) as Record<string, unknown>;
}
