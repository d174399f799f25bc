// Steps that become ready at the same moment start together: every intent is written first, then their calls
// follow one another closely. A tool that starts a timer a millisecond boundary later (libuv counts whole
// milliseconds) would otherwise finish a millisecond later, and with it the whole layer.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { Registry } from "../../src/registry/index.js";
import { run } from "../../src/runner/index.js";
import type { Step } from "../../src/schema/types.generated.js";
import { plan, tempDir } from "./helpers.js";

it("idempotent steps ready together have all their intents in the journal before the first of their calls", async () => {
  const stateDir = tempDir();
  const journal = join(stateDir, "runs", "t", "journal.ndjson");
  const intentsSeen = new Map<string, number>();
  const registry = new Registry(stateDir).define({
    name: "probe.note",
    description: "Notes how many intents the journal holds when it is called.",
    effect: "write",
    idempotent: true,
    input: { type: "object", properties: { id: { type: "string" } }, required: ["id"] },
    output: { type: "object" },
    handler: ({ id }: { id: string }) => {
      const lines = readFileSync(journal, "utf8").split("\n");
      intentsSeen.set(id, lines.filter((l) => l.includes('"t":"step-intent"')).length);
      return {};
    },
  });
  const step = (id: string, dependsOn: string[] = []): Step => ({
    id,
    tool: "probe.note",
    args: { id },
    expectedOutcome: "noted",
    rollback: { none: "a note changes nothing" },
    ...(dependsOn.length ? { dependsOn } : {}),
  });
  const first = ["a", "b", "c", "d"];
  const result = await run(plan([...first.map((id) => step(id)), step("e", first), step("f", first)]), {
    registry,
    runId: "t",
  });
  expect(result.status).toBe("succeeded");
  expect(Object.fromEntries(intentsSeen)).toEqual({ a: 4, b: 4, c: 4, d: 4, e: 6, f: 6 });
});
