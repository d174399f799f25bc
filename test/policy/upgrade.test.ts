// The converter for plans written before risk came from policy, tried on the previous versions of the
// shipped plans (test/fixtures/policy/older/, copied from git before the change).
import { copyFileSync, readdirSync, readFileSync } from "node:fs";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { upgradeRiskText } from "../../src/policy/upgrade.js";
import { validatePlanText } from "../../src/validator/index.js";
import { tempDir } from "../runner/helpers.js";
import { sandboxRegistry } from "./helpers.js";

const OLDER = "test/fixtures/policy/older";
const exec = promisify(execFile);

describe("upgrading older plans adds the risk flags the manifests require, and nothing else", () => {
  it.each(readdirSync(OLDER))(
    "%s: valid after, with only riskySteps and requiresConfirmation changed",
    async (name) => {
      const registry = await sandboxRegistry();
      const text = readFileSync(join(OLDER, name), "utf8");
      const upgraded = upgradeRiskText(text, name, registry);
      expect(upgraded.ok).toBe(true);
      if (!upgraded.ok) return;
      const after = validatePlanText(upgraded.text, name, registry);
      expect(after.ok, JSON.stringify(!after.ok && after.problems)).toBe(true);
      const before = validatePlanText(text, name, registry);
      const { riskySteps: r0, requiresConfirmation: c0, ...rest0 } = before.plan!;
      const { riskySteps: r1, requiresConfirmation: c1, ...rest1 } = after.ok ? after.plan : before.plan!;
      expect(rest1).toEqual(rest0);
      expect(r1).toEqual(expect.arrayContaining(r0));
      expect(c1).toBe(true);
      expect(r1.filter((id) => !r0.includes(id))).toEqual(upgraded.added);
      // Comments survive: the header is the author's.
      expect(upgraded.text.split("\n")[0]).toBe(text.split("\n")[0]);
    },
  );

  it("names what it added: the canary and the DNS TTL changes were live changes made without approval", async () => {
    const registry = await sandboxRegistry();
    const added = (name: string) => {
      const u = upgradeRiskText(readFileSync(join(OLDER, name), "utf8"), name, registry);
      return u.ok ? u.added : u.message;
    };
    expect(added("blue-green-checkout.yaml")).toEqual(["canary"]);
    expect(added("dns-cutover.yaml")).toEqual(["lower-ttl", "restore-ttl"]);
    expect(added("scale-out.yaml")).toEqual(["add-target"]);
    expect(added("migrate-orders.yaml")).toEqual([]);
  });

  it("tsx src/upgrade.ts --check changes nothing and exits 1; without it, rewrites the file in place", async () => {
    const dir = tempDir("planfile-upgrade-");
    const file = join(dir, "dns-cutover.yaml");
    copyFileSync(join(OLDER, "dns-cutover.yaml"), file);
    const before = readFileSync(file, "utf8");
    const cli = (...args: string[]) =>
      exec("npx", ["tsx", "src/upgrade.ts", ...args]).then(
        (r) => ({ code: 0, stderr: r.stderr }),
        (e: { code: number; stderr: string }) => e,
      );
    const checked = await cli("--check", file);
    expect(checked).toMatchObject({ code: 1, stderr: `${file}: would add lower-ttl, restore-ttl to riskySteps\n` });
    expect(readFileSync(file, "utf8")).toBe(before);
    const done = await cli(file);
    expect(done).toMatchObject({ code: 0, stderr: `${file}: added lower-ttl, restore-ttl to riskySteps\n` });
    expect(validatePlanText(readFileSync(file, "utf8"), file, await sandboxRegistry()).ok).toBe(true);
    expect(await cli("--check", file)).toMatchObject({ code: 0, stderr: `${file}: up to date\n` });
  }, 120_000);
});
