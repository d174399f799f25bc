// planfile.config.json as a user meets it: in the folder a command runs from, checked against
// schemas/config.schema.json, refused (exit 2) with the file, the place and the setting's name.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config/index.js";
import { entry, GOAL, REPO, tempDir } from "./helpers.js";

const root = tempDir();
let n = 0;
/** A fresh folder holding `text` as its planfile.config.json. */
function folderWithConfig(text: string): string {
  const dir = join(root, String(++n));
  mkdirSync(dir);
  writeFileSync(join(dir, "planfile.config.json"), text);
  return dir;
}

const plan = (cwd: string) => entry("plan", ["--offline", "--state-dir", join(cwd, ".planfile"), GOAL], { cwd });

describe("planfile.config.json", { timeout: 180_000 }, () => {
  it("malformed JSON: exit 2, naming the file, line and column", async () => {
    const cwd = folderWithConfig('{\n  "llm": {\n    "model": "gpt-4o",\n  }\n}\n');
    const { code, stdout, stderr } = await plan(cwd);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toMatch(/planfile\.config\.json:4:3 {2}not valid JSON/);
    expect(stderr).not.toContain("internal error");
  });

  it("a key in it: exit 2, naming the setting, even when planning offline", async () => {
    const cwd = folderWithConfig('{"llm": {"model": "gpt-4o", "apiKey": "sk-1234567890abcdefghij"}}');
    const { code, stderr } = await plan(cwd);
    expect(code).toBe(2);
    expect(stderr).toMatch(/planfile\.config\.json:1:29 {2}keys do not belong in a config file.*OPENAI_API_KEY/);
  });

  it("a misspelled setting: exit 2 with a did-you-mean and what is allowed", async () => {
    const cwd = folderWithConfig('{\n  "llm": {\n    "modle": "gpt-4o"\n  }\n}\n');
    const { code, stderr } = await plan(cwd);
    expect(code).toBe(2);
    expect(stderr).toContain(
      "planfile.config.json:3:5  unknown setting `llm.modle`; did you mean `llm.model`? (allowed in llm: baseURL, model, timeoutMs, retries)",
    );
  });

  it("an unknown section and a wrong type are both reported, in file order", async () => {
    const cwd = folderWithConfig('{"llm": {"timeoutMs": "fast"}, "lmm": {}}');
    const { code, stderr } = await plan(cwd);
    expect(code).toBe(2);
    const lines = stderr.split("\n").filter((l) => l.includes("planfile.config.json:"));
    expect(lines[0]).toContain("1:23  `llm.timeoutMs` must be integer");
    expect(lines[1]).toContain("1:32  unknown setting `lmm`; did you mean `llm`?");
  });

  it.each([
    ["validate", ["plans/migrate-orders.yaml"]],
    ["runs", []],
    ["tools", []],
    ["sandbox", ["fixtures"]],
  ])("%s refuses a broken config too (exit 2), before doing anything", async (command, args) => {
    const cwd = folderWithConfig('{"llm": {"baseUrl": "http://127.0.0.1:1/v1"}}');
    const { code, stdout, stderr } = await entry(
      command,
      args.map((a) => (a.endsWith(".yaml") ? join(REPO, a) : a)),
      { cwd },
    );
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toContain("unknown setting `llm.baseUrl`; did you mean `llm.baseURL`?");
  });

  it("a valid config is used, and the plan is made", async () => {
    const cwd = folderWithConfig('{"$schema": "../schemas/config.schema.json", "llm": {"model": "m", "retries": 1}}');
    const { code, stdout } = await plan(cwd);
    expect(code).toBe(0);
    expect(stdout).toContain("kind: Plan");
  });

  it("loadConfig: no file is no settings; a bad file is a ConfigError with located problems", () => {
    expect(loadConfig(join(root, "absent.json"))).toEqual({});
    const file = join(folderWithConfig('{"llm": {"token": "x"}}'), "planfile.config.json");
    expect(() => loadConfig(file)).toThrow(ConfigError);
    try {
      loadConfig(file);
    } catch (error) {
      expect((error as ConfigError).code).toBe("CONFIG_INVALID");
      expect((error as ConfigError).problems).toEqual([
        expect.objectContaining({ key: "llm.token", line: 1, col: 10 }),
      ]);
    }
  });
});
