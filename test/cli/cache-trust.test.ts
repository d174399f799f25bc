// The cache (src/schema/disk-cache.ts) is the user's own: entries found in the working folder — a
// checkout under review could carry them — are never read. They could hold the data a plan runs with.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { writeEntry } from "../../src/schema/disk-cache.js";
import { yamlFileKey } from "../../src/schema/parse-cache.js";
import { entry, REPO, tempDir } from "./helpers.js";

describe("the cache's place", { timeout: 180_000 }, () => {
  it("an entry planted in the working folder's .planfile/cache is never read", async () => {
    const checkout = tempDir();
    const home = join(checkout, "home");
    mkdirSync(home);
    // The plan under review calls a tool that does not exist…
    const text = readFileSync(join(REPO, "plans/migrate-orders.yaml"), "utf8").replace(
      "tool: sandbox.db.create",
      "tool: sandbox.db.obliterate",
    );
    writeFileSync(join(checkout, "plan.yaml"), text);
    // …and the checkout carries an intact entry, under that text's name, holding the valid plan.
    const planted = join(checkout, ".planfile", "cache");
    const valid = JSON.stringify(parse(readFileSync(join(REPO, "plans/migrate-orders.yaml"), "utf8")));
    writeEntry("yaml", yamlFileKey(text), valid, planted);

    const env = { HOME: home, XDG_CACHE_HOME: join(home, ".cache") };
    const reviewed = await entry("validate", ["plan.yaml"], { cwd: checkout, env });
    expect(reviewed.code).toBe(5);
    expect(reviewed.stdout).toContain("sandbox.db.obliterate");
    // The planted entry is well-formed: pointed at it on purpose, the cache believes it.
    const trusted = await entry("validate", ["plan.yaml"], {
      cwd: checkout,
      env: { ...env, PLANFILE_CACHE_DIR: planted },
    });
    expect(trusted.code, trusted.stderr).toBe(0);
  });

  it("the default cache is the user's: $XDG_CACHE_HOME/planfile", async () => {
    const folder = tempDir();
    const home = join(folder, "home");
    mkdirSync(home);
    writeFileSync(join(folder, "plan.yaml"), readFileSync(join(REPO, "plans/migrate-orders.yaml"), "utf8"));
    const { code, stderr } = await entry("validate", ["plan.yaml"], {
      cwd: folder,
      env: { HOME: home, XDG_CACHE_HOME: join(home, "xdg") },
    });
    expect(code, stderr).toBe(0);
    expect(readdirSync(join(home, "xdg", "planfile")).sort()).toEqual(["ajv", "manifests", "yaml"]);
    expect(existsSync(join(folder, ".planfile", "cache"))).toBe(false);
  });
});
