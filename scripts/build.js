// `npm run build` (run by `npm pack` through `prepack`): compiles src/ and tools/ to dist/ and copies
// the schemas, prompts, manifests and fixtures beside the compiled code, so dist/ mirrors the
// checkout and the compiled code finds them at the same relative paths as the sources do.
import { execFileSync } from "node:child_process";
import { cpSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

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
