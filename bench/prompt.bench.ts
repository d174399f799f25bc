// The first prompt a model sees, with the 60-tool sandbox registry: tokens (chars / 4) per goal, how many
// tools are shown in full, and the answer schema's size. `npx tsx bench/index.ts prompt`
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freshSandbox } from "../src/evals/sandbox.js";
import { loadRegistry } from "../src/registry/index.js";
import { createOpenAiLlm } from "../src/planner/llm.js";
import { loadMethods } from "../src/planner/offline/methods.js";
import { plan } from "../src/planner/plan.js";
import { answer, startFakeOpenAi, type RecordedRequest } from "../test/support/fake-openai.js";
import type { BenchTable } from "./table.js";

const TARGET = 2_500;
const MIGRATE = "Migrate the orders database from us-east-1 to eu-west-1";
const GOALS = [
  MIGRATE,
  "Rotate the leaked orders-db-password secret",
  "Deploy checkout 1.9.0 blue-green",
  "Onboard Dana Ruiz as an engineer",
  "Decommission the checkout service",
];

const tokens = (r: RecordedRequest) => Math.ceil(r.messages.reduce((n, m) => n + m.content.length, 0) / 4);

export default async function bench(): Promise<BenchTable[]> {
  const root = mkdtempSync(join(tmpdir(), "planfile-bench-prompt-"));
  const server = await startFakeOpenAi();
  // The bench reads the request; the answer only has to end planning at once.
  server.fallback = answer({ cannot: { reason: "bench", missing: "nothing" } });
  const box = await freshSandbox("default", root);
  // The sandbox pack alone: the 60-tool registry the target is stated for.
  const registry = await loadRegistry({ toolsDir: "tools/sandbox", stateDir: box.stateDir });
  try {
    const methods = await loadMethods("tools");
    const llm = createOpenAiLlm({ apiKey: "bench", baseURL: server.url, model: "bench", retries: 0 });
    const rows: (string | number)[][] = [];
    let migrate = 0;
    for (const goal of GOALS) {
      await plan(goal, { registry, llm, methods, maxRepairs: 0 });
      const request = server.requests.at(-1)!;
      const shown = [...request.messages.at(-1)!.content.matchAll(/^- [\w.]+ \[/gm)].length;
      const schemaTokens = Math.ceil(JSON.stringify(request.response_format?.json_schema?.schema ?? {}).length / 4);
      const t = tokens(request);
      if (goal === MIGRATE) migrate = t;
      rows.push([goal, registry.list().length, shown, t, schemaTokens]);
    }
    return [
      {
        title: "first prompt per goal, 60-tool sandbox registry (tokens = chars / 4)",
        columns: ["goal", "tools registered", "shown in full", "prompt tokens", "answer schema tokens"],
        rows,
        notes: [
          `Target: the migration goal's first prompt ≤ ${TARGET} tokens — ${migrate <= TARGET ? "holds" : "MISSED"} (${migrate}). The answer schema travels as response_format, not in the messages.`,
        ],
      },
    ];
  } finally {
    await server.close();
    await registry.close();
    await box.registry.close();
    box.dispose();
    rmSync(root, { recursive: true, force: true });
  }
}
