import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { plan } from "../../src/planner/plan.js";
import { loadMethods } from "../../src/planner/offline/methods.js";
import { MAX_GOAL_CHARS, QUOTE_CHARS } from "../../src/planner/goal/index.js";
import { resetWorld } from "../../tools/sandbox/world/index.js";
import { sandboxWorlds } from "./sandbox-worlds.js";

interface MustRefuse {
  goal: string;
  fixture?: string;
  reason: string;
  says: string;
}

const { refusals } = parse(readFileSync("evals/refusals.yaml", "utf8")) as { refusals: MustRefuse[] };
const worlds = sandboxWorlds();
const methods = loadMethods("tools");
const scratch = mkdtempSync(join(tmpdir(), "planfile-refusals-"));
afterAll(async () => {
  await worlds.close();
  rmSync(scratch, { recursive: true, force: true });
});

const exec = promisify(execFile);
async function cli(goal: string, fixture = "default") {
  const stateDir = mkdtempSync(join(scratch, "state-"));
  resetWorld(stateDir, fixture);
  return exec("npx", ["tsx", "src/plan.ts", "--offline", "--state-dir", stateDir, goal], {
    env: { ...process.env, OPENAI_API_KEY: "", OPENAI_BASE_URL: "" },
  }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
}

describe("evals/refusals.yaml", () => {
  it("holds at least 25 goals, of every kind the planner refuses", () => {
    expect(refusals.length).toBeGreaterThanOrEqual(25);
    const reasons = new Set(refusals.map((r) => r.reason));
    for (const reason of [
      "NO_METHOD",
      "UNKNOWN_ENTITY",
      "AMBIGUOUS",
      "MISSING_SLOT",
      "EXTRA_INSTRUCTION",
      "WOULD_FAIL",
    ])
      expect(reasons, reason).toContain(reason);
  });

  for (const r of refusals)
    it(`refuses ${JSON.stringify(r.goal)} with ${r.reason}`, async () => {
      const result = await plan(r.goal, { registry: await worlds.registry(r.fixture), methods: await methods });
      expect(result.ok ? "planned" : { reason: result.reason, says: result.message.includes(r.says) }).toEqual({
        reason: r.reason,
        says: true,
      });
      // Internal expression errors never reach the user.
      if (!result.ok) expect(result.message).not.toMatch(/No such key|cannot (check|compute|evaluate) `/);
    });
});

describe("tsx src/plan.ts refuses (one goal of each reason, through the CLI)", () => {
  const sample = [...new Map(refusals.map((r) => [r.reason, r])).values()];
  // Each spawns tsx; on a busy machine that is seconds, so they get time.
  it.each(sample)("$reason: $goal", { timeout: 120_000 }, async (r) => {
    const { code, stdout, stderr } = await cli(r.goal, r.fixture);
    expect({ code, stdout }).toEqual({ code: 1, stdout: "" });
    expect(stderr).toContain(`reason: ${r.reason}\n`);
    expect(stderr).toContain(r.says);
  });

  it("a goal over 4,000 characters is a usage error before anything is read, quoted in 200", {
    timeout: 120_000,
  }, async () => {
    const goal = `Migrate the orders database to eu-west-1${" please".repeat(MAX_GOAL_CHARS / 7)}`;
    const { code, stdout, stderr } = await cli(goal);
    expect({ code, stdout }).toEqual({ code: 2, stdout: "" });
    expect(stderr).toContain(`the goal is ${goal.length} characters long; planfile reads goals of at most 4000`);
    expect(stderr.length).toBeLessThan(QUOTE_CHARS + 300);
  });
});
