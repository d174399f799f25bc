// Secrets stay secret: after runs that succeed, fail and roll back, and crash then resume, no file
// under the state folder and no byte any command printed holds a secret, raw or in any encoding a
// tool may have sent it in (URL, form, JSON, base64).
import { execFile } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { secretForms } from "../../src/secrets/forms.js";
import { tempDir } from "./helpers.js";

const exec = promisify(execFile);
const SECRETS = { PF_SECRET_A: 'Pa$$ w0rd/+&="quoted" \\ back', PF_SECRET_B: "leaky-db-name-7391" };

async function cli(script: string, args: string[], extraEnv: Record<string, string> = {}): Promise<string> {
  try {
    const r = await exec(process.execPath, ["--import", "tsx", script, ...args], {
      env: { ...process.env, ...SECRETS, ...extraEnv },
    });
    return r.stdout + r.stderr;
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string };
    return (err.stdout ?? "") + (err.stderr ?? "");
  }
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).isFile());
}

/** Every (secret, encoding) pair found in `text`, named for the failure message. */
function leaks(where: string, text: string): string[] {
  const found: string[] = [];
  for (const [name, value] of Object.entries(SECRETS))
    for (const form of secretForms(value))
      if (text.includes(form)) found.push(`${where}: ${name} as ${JSON.stringify(form)}`);
  return found;
}

describe("secrets stay secret everywhere", () => {
  it("the encodings looked for differ from the raw value (the test would see an encoded leak)", () => {
    const forms = secretForms(SECRETS.PF_SECRET_A);
    expect(forms).toContain(encodeURIComponent(SECRETS.PF_SECRET_A));
    expect(forms).toContain(JSON.stringify(SECRETS.PF_SECRET_A).slice(1, -1));
    expect(forms).toContain(Buffer.from(SECRETS.PF_SECRET_A).toString("base64").replace(/=+$/, "").slice(0, -1));
  });

  it("after a run that succeeds, one that fails and rolls back, and one killed and resumed", {
    timeout: 120_000,
  }, async () => {
    const state = tempDir();
    const out: string[] = [];
    const run = (args: string[], env?: Record<string, string>) =>
      cli("src/run.ts", ["--state-dir", state, ...args], env).then((o) => out.push(o));
    await run(["--run-id", "ok", "--yes", "test/fixtures/secrets/store-token.yaml"]);
    await run(["--run-id", "failed", "--yes", "test/fixtures/secrets/store-then-fail.yaml"]);
    await run(["--run-id", "json", "--yes", "--json", "test/fixtures/secrets/store-then-fail.yaml"]);
    await run(["--run-id", "crash", "--yes", "test/fixtures/secrets/store-then-fail.yaml"], {
      PLANFILE_TEST_KILL_AT_LINE: "4",
    });
    await run(["--resume", "crash"]);
    out.push(await cli("src/rollback.ts", ["--state-dir", state, "--yes", "ok"]));
    out.push(await cli("src/runs.ts", ["--state-dir", state, "failed"]));
    out.push(await cli("src/sandbox.ts", ["show", "--json", "--state-dir", state]));

    const all = out.join("\n");
    expect(all).toContain("database `***` does not exist"); // the failing step really echoed the secret
    expect(all).toMatch(/killed|SIGKILL|resum/i);
    const found = [...leaks("output", all), ...filesUnder(state).flatMap((f) => leaks(f, readFileSync(f, "latin1")))];
    expect(found).toEqual([]);
  });
});
