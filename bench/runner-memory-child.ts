// One size, one path, in a fresh process (bench/runner-memory.bench.ts starts it): peak RSS of validating and
// running an N-step plan, beyond the plan's own size. Prints one JSON line.
// Usage: node --expose-gc --import tsx bench/runner-memory-child.ts <data|text|parse> <steps> [plan.yaml]
// `parse` stops after parsing the text (parseYamlSource): what the YAML text path adds before validation.
// The text paths read the plan's text from a file that `write <steps> <file>` made in another process: writing
// it here would raise this process's RSS, whose high-water mark is the peak, before the baseline.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getHeapSpaceStatistics } from "node:v8";
import { stringify } from "yaml";
import { run } from "../src/runner/index.js";
import type { Plan } from "../src/schema/types.generated.js";
import { parseYamlSource } from "../src/schema/source.js";
import { validatePlanText } from "../src/validator/index.js";
import { registry, toPlan, type Node } from "./runner-workloads.js";

const [path, size, textFile] = process.argv.slice(2) as ["data" | "text" | "parse" | "write", string, string?];
const n = Number(size);
const gc = (globalThis as { gc?: () => void }).gc!;
/** Bytes V8 reserves for its young generation: it grows (to 32 MB here) once enough objects survive, whoever made them. */
const young = () => getHeapSpaceStatistics().find((s) => s.space_name === "new_space")!.space_size;

/** Layers of 50 steps; each depends on two steps of the layer before. */
function nodes(count: number): Node[] {
  const out: Node[] = [];
  for (let i = 0; i < count; i++) {
    const layer = Math.floor(i / 50);
    const deps = layer === 0 ? [] : [`m${(layer - 1) * 50 + (i % 50)}`, `m${(layer - 1) * 50 + ((i + 7) % 50)}`];
    out.push({ id: `m${i}`, ms: 0, deps: [...new Set(deps)] });
  }
  return out;
}

if (path === "write") {
  writeFileSync(textFile!, stringify(toPlan(nodes(n), true)));
  process.exit(0);
}

const dir = mkdtempSync(join(tmpdir(), "planfile-mem-"));
const graph = nodes(n);
const reg = registry(dir, graph);
// Warm up on a small plan: module loading and schema compilation are not the plan's cost.
const warm = nodes(100);
await run(toPlan(warm, true), { registry: registry(dir, warm), runId: "warm", runsDir: join(dir, "warm") });
// The YAML parsers load on first use: load them here too.
parseYamlSource(stringify(toPlan(warm, true)), "warm.yaml");

// Only the data path builds the plan in memory; the text paths measure the plan they parse, after the peak.
let plan: Plan | undefined;
let planBytes = 0;
let text: string | undefined;
gc();
if (path === "data") {
  const heap0 = process.memoryUsage().heapUsed;
  plan = toPlan(graph, true);
  gc();
  planBytes = process.memoryUsage().heapUsed - heap0;
} else text = readFileSync(textFile!, "utf8");
gc();
const baseline = process.memoryUsage().rss;
const baselineHeap = process.memoryUsage().heapUsed;
const baselineYoung = young();

let status: string;
if (path === "data") status = (await run(plan!, { registry: reg, runId: "m" })).status;
else if (path === "parse") {
  const parsed = parseYamlSource(text!, "plan.yaml");
  status = parsed.ok ? "succeeded" : parsed.problems[0]!.message;
} else {
  const validation = validatePlanText(text!, "plan.yaml", reg);
  if (!validation.ok) throw new Error(validation.problems[0]!.message);
  status = (await run(validation, { registry: reg, runId: "m" })).status;
}
const peak = process.resourceUsage().maxRSS * 1024;
const youngGrowth = young() - baselineYoung;
gc();
const retained = process.memoryUsage().heapUsed - baselineHeap;
// The text paths hold the plan as read from the text, which is larger than the one built in memory above (its
// strings are one per place, where toPlan shares constants). Measured now, after the peak was read: a parse
// before the baseline would have raised the high-water mark the peak is read from.
if (path !== "data") {
  const before = process.memoryUsage().heapUsed;
  const parsed = parseYamlSource(text!, "plan.yaml");
  gc();
  if (parsed.ok) planBytes = process.memoryUsage().heapUsed - before;
}
rmSync(dir, { recursive: true, force: true });
// The text path's peak holds the parsed plan too: that is the plan's own size, not the run's.
const beyond = peak - baseline - (path === "data" ? 0 : planBytes);
console.log(
  JSON.stringify({
    path,
    steps: n,
    status,
    planBytes,
    baseline,
    peak,
    perStep: Math.max(0, beyond) / n,
    retained,
    youngGrowth,
  }),
);
