// `npm run bench`: runs every bench/*.bench.ts (or those named on the command line) and prints their tables.
import { readdir } from "node:fs/promises";
import { fileURLToPath, pathToFileURL } from "node:url";
import { printTable, type BenchTable } from "./table.js";

const dir = fileURLToPath(new URL(".", import.meta.url));
const only = process.argv.slice(2);
const files = (await readdir(dir))
  .filter((f) => f.endsWith(".bench.ts") && (only.length === 0 || only.some((o) => f.includes(o))))
  .sort();
for (const file of files) {
  const mod = (await import(pathToFileURL(`${dir}${file}`).href)) as { default: () => Promise<BenchTable[]> };
  for (const table of await mod.default()) printTable(table);
}
