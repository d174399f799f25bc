// Which store a command uses: the files unless PLANFILE_STORE_URL or store.url in the config names a server.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.js";
import { FileRunStore, openRunStore } from "../../src/store/index.js";
import { PostgresRunStore } from "../../src/store/postgres/store.js";

describe("choosing the run store", () => {
  it("is the files under the state folder by default, as before", async () => {
    const store = await openRunStore({ stateDir: "/tmp/x", env: {} });
    expect(store).toBeInstanceOf(FileRunStore);
    expect(store.where).toBe("/tmp/x/runs");
  });

  it("is PostgreSQL when PLANFILE_STORE_URL or the config's store.url names one; the variable wins", async () => {
    const fromEnv = await openRunStore({
      env: { PLANFILE_STORE_URL: "postgres://a@h1/db" },
      config: { url: "postgres://b@h2/db" },
    });
    expect(fromEnv).toBeInstanceOf(PostgresRunStore);
    expect(fromEnv.where).toBe("postgres://a@h1/db");
    const fromConfig = await openRunStore({ env: {}, config: { url: "postgres://b@h2/db", schema: "ops" } });
    expect((fromConfig as PostgresRunStore).schema).toBe("ops");
    await fromEnv.close();
    await fromConfig.close();
  });

  it("never shows a password from the URL in messages", async () => {
    const store = await openRunStore({ env: { PLANFILE_STORE_URL: "postgres://u:hunter2@127.0.0.1:1/db" } });
    expect(store.where).toBe("postgres://u:***@127.0.0.1:1/db");
    await expect(store.read("r1")).rejects.toThrow(
      /cannot reach the run store postgres:\/\/u:\*\*\*@127\.0\.0\.1:1\/db/,
    );
    await store.close();
  });

  it("refuses a password in the config file's store.url, pointing at the line", () => {
    const dir = mkdtempSync(join(tmpdir(), "planfile-store-config-"));
    const file = join(dir, "planfile.config.json");
    writeFileSync(file, '{\n  "store": {\n    "url": "postgres://u:hunter2@db/planfile"\n  }\n}\n');
    expect(() => loadConfig(file)).toThrow(/planfile\.config\.json:3:\d+ {2}holds a password; .*set PGPASSWORD/);
  });
});
