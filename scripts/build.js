// `npm run build` (run by `npm pack` through `prepack`): compiles src/ and tools/ to dist/ and copies
// the schemas, prompts, manifests and fixtures beside the compiled code, so dist/ mirrors the
// checkout and the compiled code finds them at the same relative paths as the sources do.
// Then it fills dist/cache/ (src/schema/disk-cache.ts): the shipped manifests checked, and the plan
// and tool-set schemas (the plan's also as its yes-or-no check) and every shipped tool's input and output schema compiled by ajv, so the
// installed command's first `validate` in any folder neither parses a manifest nor compiles a schema.
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = fileURLToPath(new URL("../", import.meta.url));
const dist = `${root}dist/`;
rmSync(dist, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
execFileSync(process.execPath, [tsc, "-p", `${root}tsconfig.build.json`], { stdio: "inherit" });
for (const dir of ["schemas", "prompts", "tools"]) {
  cpSync(`${root}${dir}`, `${dist}${dir}`, {
    recursive: true,
    // TypeScript under tools/ was compiled above; everything else (manifests, methods, fixtures) is copied.
    filter: (src) => !src.endsWith(".ts"),
  });
}

process.env.PLANFILE_CACHE_DIR = `${dist}cache`;
delete process.env.PLANFILE_CACHE;
const compiled = (path) => import(pathToFileURL(`${dist}${path}`).href);
const { loadRegistry } = await compiled("src/registry/index.js");
const { planSchemaCheck, planSchemaValidator, toolSetSchemaValidator } = await compiled("src/schema/ajv.js");
planSchemaCheck();
planSchemaValidator();
toolSetSchemaValidator();
const state = mkdtempSync(join(tmpdir(), "planfile-build-"));
try {
  const registry = await loadRegistry({ stateDir: state, policyFile: false, lazyHandlers: true });
  for (const tool of registry.list()) {
    registry.inputValidator(tool.name);
    registry.outputValidator(tool.name);
  }
} finally {
  rmSync(state, { recursive: true, force: true });
}
