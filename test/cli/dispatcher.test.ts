// `planfile <command>`: a table of commands (src/cli/commands.ts), each handed the rest of the line.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { COMMANDS } from "../../src/cli/commands.js";
import { spawn } from "./helpers.js";

const planfile = (...args: string[]) => spawn(process.execPath, ["--import", "tsx", "src/planfile.ts", ...args]);

describe("the planfile dispatcher", { timeout: 180_000 }, () => {
  it("with no command prints the list on stderr and exits 2", async () => {
    const { code, stdout, stderr } = await planfile();
    expect(code).toBe(2);
    expect(stdout).toBe("");
    for (const name of Object.keys(COMMANDS)) expect(stderr).toContain(`  ${name} `);
  });

  it("`help <command>` is `<command> --help`, spelled through the dispatcher", async () => {
    const { code, stdout } = await planfile("help", "validate");
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: node --import tsx src\/planfile\.ts validate \[--json\]/);
  });

  it("passes the rest of the line to the command", async () => {
    const { code, stdout } = await planfile("validate", "--json", "plans/migrate-orders.yaml");
    expect(code).toBe(0);
    expect(JSON.parse(stdout)[0]).toMatchObject({ file: "plans/migrate-orders.yaml", valid: true });
  });

  it("--version prints package.json's version", async () => {
    const { stdout } = await planfile("--version");
    expect(stdout.trim()).toBe(JSON.parse(readFileSync("package.json", "utf8")).version);
  });
});
