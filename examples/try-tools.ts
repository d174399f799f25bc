// `npx tsx examples/try-tools.ts`: loads examples/tools/ and calls one exec and one mcp tool.
import { loadRegistry } from "../src/registry/index.js";

const registry = await loadRegistry({ toolsDir: "examples/tools" });
try {
  for (const tool of registry.list()) console.log(`${tool.kind.padEnd(5)} ${tool.name.padEnd(22)} ${tool.effect}`);
  console.log(await registry.call("git.log", { count: 3 }));
  console.log(await registry.call("files.list", { path: "examples" }));
} finally {
  await registry.close();
}
