import { loadRegistry, type Registry } from "../../src/registry/index.js";

/** The demo tool pack from test/fixtures/tools, loaded once per test file. */
let cached: Promise<Registry> | undefined;
export function demoRegistry(): Promise<Registry> {
  return (cached ??= loadRegistry({ toolsDir: "test/fixtures/tools", stateDir: ".planfile/test-demo" }));
}
