import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const text = readFileSync(".github/workflows/plans.yml", "utf8");
const workflow = parse(text) as {
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  jobs: Record<string, { steps: { run?: string; uses?: string }[] }>;
};
const runs = Object.values(workflow.jobs)
  .flatMap((j) => j.steps.map((s) => s.run ?? ""))
  .join("\n");
const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { scripts: Record<string, string> };
// Scripts another issue is adding; remove from here once package.json has them.
const PENDING_SCRIPTS = new Set(["eval"]);

describe(".github/workflows/plans.yml", () => {
  it("parses, runs on pull requests, and asks only for the permissions it needs", () => {
    expect(Object.keys(workflow.on)).toEqual(["pull_request"]);
    expect(workflow.permissions).toEqual({ contents: "read", "pull-requests": "write" });
  });

  it("calls only entry files that exist in src/", () => {
    const entries = [...runs.matchAll(/tsx (src\/[\w/-]+\.ts)/g)].map((m) => m[1]!);
    expect(new Set(entries)).toEqual(new Set(["src/validate.ts", "src/show.ts", "src/diff.ts"]));
    for (const entry of entries) expect(existsSync(entry), entry).toBe(true);
  });

  it("calls only npm scripts that package.json defines (or that are announced as pending)", () => {
    const scripts = [...runs.matchAll(/npm run ([\w:-]+)/g)].map((m) => m[1]!);
    expect(scripts).toContain("eval");
    for (const s of scripts) expect(s in pkg.scripts || PENDING_SCRIPTS.has(s), `npm run ${s}`).toBe(true);
  });

  it("uses only standard actions, pinned to a major version", () => {
    const uses = Object.values(workflow.jobs).flatMap((j) => j.steps.map((s) => s.uses).filter(Boolean));
    expect(uses).toEqual(["actions/checkout@v4", "actions/setup-node@v4"]);
  });
});
