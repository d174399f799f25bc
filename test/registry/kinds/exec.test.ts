import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadManifest, Registry } from "../../../src/registry/index.js";
import { alive, waitUntil } from "./processes.js";
import { failure } from "./failure.js";

const manifest = new URL("../../fixtures/kinds/exec.tools.yaml", import.meta.url).pathname;
let dir: string;
let registry: Registry;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "planfile-exec-"));
  registry = new Registry(dir);
  await loadManifest(registry, manifest);
});
afterAll(async () => {
  await registry.close();
  await rm(dir, { recursive: true, force: true });
});

describe("exec kind", () => {
  it("passes a hostile arg as one literal argv element, with no shell in between", async () => {
    const out = (await registry.call("kx.argv", { text: '"; rm -rf / #', label: "a b $(whoami)" })) as {
      json: string[];
    };
    expect(out.json).toEqual(['"; rm -rf / #', "--label=a b $(whoami)"]);
  });

  it("expands an array arg into one element per item and writes numbers as text", async () => {
    const out = (await registry.call("kx.argv", { text: "t", label: "l", files: ["a b", "c"], count: 3 })) as {
      json: string[];
    };
    expect(out.json).toEqual(["t", "--label=l", "a b", "c", "3"]);
  });

  it("captures exit code, stdout and stderr", async () => {
    const out = await registry.call("kx.argv", { text: "x", label: "y" });
    expect(out).toMatchObject({ exitCode: 0, stdout: '["x","--label=y"]\n', stderr: "" });
  });

  it("reports a non-zero exit as a tool error carrying stderr, with secrets redacted", async () => {
    const error = await failure(registry.call("kx.fail", { code: 3 }, { secrets: { TOKEN: "s3cr3t-value" } }));
    expect(error.code).toBe("TOOL_FAILED");
    expect(error.details.toolCode).toBe("EXIT_NONZERO");
    expect(error.message).toContain("exited with code 3");
    expect(error.message).toContain("failed with token ***");
    expect(error.message).not.toContain("s3cr3t-value");
  });

  it("names a missing secret instead of running without it", async () => {
    const error = await failure(registry.call("kx.fail", { code: 0 }));
    expect(error.details.toolCode).toBe("SECRET_MISSING");
    expect(error.message).toContain("TOKEN");
  });

  it("treats exit codes listed in the output schema as success", async () => {
    expect(await registry.call("kx.match", { word: "miss" })).toMatchObject({ exitCode: 1 });
    expect(await registry.call("kx.match", { word: "hit" })).toMatchObject({ exitCode: 0 });
  });

  it("ends a hung process as TOOL_TIMEOUT within its timeout", async () => {
    const started = performance.now();
    const error = await failure(registry.call("kx.sleep", { seconds: 30 }));
    expect(error.code).toBe("TOOL_TIMEOUT");
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it("kills the whole process group on timeout, grandchildren included", async () => {
    const pidFile = join(dir, "grandchild.pid");
    const error = await failure(registry.call("kx.spawn-grandchild", { pidFile }));
    expect(error.code).toBe("TOOL_TIMEOUT");
    const pid = Number(await readFile(pidFile, "utf8"));
    expect(await waitUntil(() => !alive(pid))).toBe(true);
  });

  it("cancels a process that ignores SIGTERM with SIGKILL after the grace period", async () => {
    const pidFile = join(dir, "stubborn.pid");
    const controller = new AbortController();
    const call = registry.call("kx.stubborn", { pidFile }, { signal: controller.signal });
    // Cancel only once the process runs and has installed its SIGTERM handler.
    expect(await waitUntil(() => existsSync(pidFile))).toBe(true);
    controller.abort();
    const error = await failure(call);
    expect(error.details.toolCode).toBe("CANCELLED");
    const pid = Number(await readFile(pidFile, "utf8"));
    expect(await waitUntil(() => !alive(pid))).toBe(true);
  });

  it("rejects bad args with the input schema before anything runs", async () => {
    const path = join(dir, "touched");
    const error = await failure(registry.call("kx.touch", { path, count: 0 }));
    expect(error.code).toBe("TOOL_INPUT_INVALID");
    expect(existsSync(path)).toBe(false);
    await registry.call("kx.touch", { path, count: 1 });
    expect(existsSync(path)).toBe(true);
  });
});
