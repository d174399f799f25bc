import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { readWorld, resetWorld } from "../../tools/sandbox/world/index.js";

const exec = promisify(execFile);
const writer = (stateDir: string, prefix: string, count: number) =>
  exec(process.execPath, ["--import", "tsx", "test/fixtures/sandbox/writer.ts", stateDir, prefix, String(count)]);

describe("two processes writing one world", () => {
  it("lose no write: every put of both is in the world and in the call log", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "planfile-lock-"));
    resetWorld(stateDir);
    await Promise.all([writer(stateDir, "a", 25), writer(stateDir, "b", 25)]);
    const world = readWorld(stateDir);
    const keys = Object.keys(world.buckets["app-assets"]!.objects).filter((k) => /^[ab]-\d+$/.test(k));
    expect(keys).toHaveLength(50);
    expect(world.calls.filter((c) => c.tool === "sandbox.storage.put" && c.ok)).toHaveLength(50);
  });
});
