// Sandbox call overhead: the registry round trip on a no-op read (persistence excluded) and a durable write.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadRegistry } from "../src/registry/index.js";
import { resetWorld } from "../tools/sandbox/world/index.js";
import { median, sample, type BenchTable } from "./table.js";

export default async (): Promise<BenchTable[]> => {
  const stateDir = mkdtempSync(join(tmpdir(), "planfile-bench-"));
  try {
    const registry = await loadRegistry({ toolsDir: "tools", stateDir });
    resetWorld(stateDir);
    const read = () => registry.call("sandbox.flags.get", { name: "new-checkout-flow" });
    await sample(500, read);
    // Read-log entries flush on a later event-loop turn, so back-to-back awaited reads measure the call without persistence.
    const reads = await sample(5000, read);
    resetWorld(stateDir);
    let n = 0;
    const write = () => registry.call("sandbox.flags.set", { name: "new-checkout-flow", enabled: n++ % 2 === 0 });
    await sample(20, write);
    const writes = await sample(300, write);
    const readMs = median(reads);
    return [
      {
        title: "sandbox call overhead (registry: validate in → handler → validate out)",
        columns: ["call", "samples", "median ms", "p90 ms"],
        rows: [
          ["sandbox.flags.get (read, no persistence)", reads.length, readMs, p90(reads)],
          ["sandbox.flags.set (write, atomic + fsync)", writes.length, median(writes), p90(writes)],
        ],
        notes: [`target: read under 0.2 ms — ${readMs < 0.2 ? "met" : "NOT met"}`],
      },
    ];
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
  }
};

function p90(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length * 0.9)]!;
}
