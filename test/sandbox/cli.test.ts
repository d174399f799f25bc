// `tsx src/sandbox.ts`: reset, show and fixtures on a temp state dir.
import { execFileSync, spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { tempStateDir } from "./helpers.js";

const stateDir = tempStateDir();
const cli = (...args: string[]) =>
  spawnSync(process.execPath, ["--import", "tsx", "src/sandbox.ts", ...args], { encoding: "utf8" });

describe("sandbox CLI", () => {
  it("resets from a fixture and shows a readable summary", () => {
    expect(cli("reset", "--fixture", "replica-lag", "--state-dir", stateDir)).toMatchObject({
      status: 0,
      stdout: "",
      stderr: expect.stringContaining("reset from fixture replica-lag"),
    });
    const show = cli("show", "--state-dir", stateDir);
    expect(show.status).toBe(0);
    expect(show.stdout).toContain("fixture replica-lag");
    expect(show.stdout).toContain("orders-replica-1(lag 340s)");
    expect(show.stdout).toMatch(/euw1-data-b +eu-west-1 +10\.1\.2\.0\/24 +240\/250 free/);
  });

  it("prints the raw world with --json", () => {
    cli("reset", "--chaos-seed", "3", "--chaos-rate", "0.2", "--state-dir", stateDir);
    const world = JSON.parse(
      execFileSync(process.execPath, ["--import", "tsx", "src/sandbox.ts", "show", "--json", "--state-dir", stateDir], {
        encoding: "utf8",
      }),
    );
    expect(world).toMatchObject({ fixture: "default", chaos: { seed: 3, transientRate: 0.2 }, calls: [] });
  });

  it("lists fixtures, and refuses an unknown one with exit 2", () => {
    expect(cli("fixtures").stdout.split("\n")).toContain("bucket-exists");
    const bad = cli("reset", "--fixture", "nope", "--state-dir", stateDir);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/FIXTURE_NOT_FOUND: no sandbox fixture named `nope`; available: /);
  });
});
