// Where a cluster is: planfile.config.json first (passwords only from the environment), then the lab.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { catalogLocation, resolveConnection } from "../../tools/postgres/connections.js";
import { pgEnv } from "../../tools/postgres/dump.js";

describe("postgres connections", () => {
  const home = process.cwd();
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "planfile-pgconf-"));
    process.chdir(dir);
  });
  afterEach(() => {
    process.chdir(home);
    rmSync(dir, { recursive: true, force: true });
    delete process.env.PF_TEST_WEST_PW;
  });
  const config = (postgres: unknown) => writeFileSync("planfile.config.json", JSON.stringify({ postgres }));
  const lab = () => {
    mkdirSync(join(dir, "state", "lab"), { recursive: true });
    writeFileSync(
      join(dir, "state", "lab", "lab.json"),
      JSON.stringify({
        clusters: [{ name: "west", host: "127.0.0.1", port: 54332, dir: "x" }],
        rows: 0,
        catalog: { cluster: "east", database: "catalog" },
      }),
    );
  };

  it("resolves a name from planfile.config.json, with the password from the variable it names", () => {
    config({
      connections: { west: { host: "db-west.internal", port: 6432, user: "planfile", passwordEnv: "PF_TEST_WEST_PW" } },
    });
    process.env.PF_TEST_WEST_PW = "s3cret-from-env";
    expect(resolveConnection("west", "state")).toEqual({
      name: "west",
      host: "db-west.internal",
      port: 6432,
      user: "planfile",
      password: "s3cret-from-env",
      source: "planfile.config.json",
    });
  });

  it("refuses a password written in the file, and says where it belongs", () => {
    config({ connections: { west: { host: "h", password: "hunter2" } } });
    expect(() => resolveConnection("west", "state")).toThrow(
      /planfile\.config\.json:1:\d+ +keys do not belong in a config file[\s\S]*set passwordEnv/,
    );
  });

  it("refuses an unknown setting, naming the allowed ones", () => {
    config({ connections: { west: { hostname: "h" } } });
    expect(() => resolveConnection("west", "state")).toThrow(
      /unknown setting `postgres\.connections\.west\.hostname` \(allowed in postgres\.connections\.west: host, port, user, passwordEnv\)/,
    );
  });

  it("says which variable to export when the password's variable is unset", () => {
    config({ connections: { west: { passwordEnv: "PF_TEST_WEST_PW" } } });
    expect(() => resolveConnection("west", "state")).toThrow(/\$PF_TEST_WEST_PW, which is not set/);
  });

  it("falls back to the lab of the state folder for names the file does not define, and prefers the file", () => {
    lab();
    expect(resolveConnection("west", join(dir, "state"))).toMatchObject({
      host: "127.0.0.1",
      port: 54332,
      source: "lab",
    });
    expect(catalogLocation(join(dir, "state"))).toEqual({ cluster: "east", database: "catalog" });
    config({ connections: { west: { host: "elsewhere" } }, catalog: { cluster: "west", database: "registry" } });
    expect(resolveConnection("west", join(dir, "state"))).toMatchObject({
      host: "elsewhere",
      source: "planfile.config.json",
    });
    expect(catalogLocation(join(dir, "state"))).toEqual({ cluster: "west", database: "registry" });
  });

  it("names the known connections when one is unknown", () => {
    lab();
    expect(() => resolveConnection("mars", join(dir, "state"))).toThrow(
      /no PostgreSQL connection named `mars`; known: west/,
    );
  });

  it("gives pg_dump and pg_restore only what libpq needs: no other credential of planfile's environment", () => {
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_SECRET_ACCESS_KEY: "not-for-pg_dump",
      PF_TEST_WEST_PW: "the-other-connection",
      PGPASSWORD: "from-the-shell",
      PGPASSFILE: "/root/other.pgpass",
      PGOPTIONS: "-c default_transaction_read_only=on",
      PGSERVICE: "prod",
      PGSSLMODE: "verify-full",
      PGSSLROOTCERT: "/etc/ssl/pg-ca.pem",
      LC_ALL: "C.UTF-8",
    });
    try {
      const env = pgEnv(
        { name: "west", host: "db-west.internal", port: 6432, user: "planfile", password: "west-pw", source: "x" },
        "orders",
        "planfile-dump",
      );
      expect(env).toMatchObject({
        PGHOST: "db-west.internal",
        PGPORT: "6432",
        PGUSER: "planfile",
        PGDATABASE: "orders",
        PGPASSWORD: "west-pw",
        PGSSLMODE: "verify-full",
        PGSSLROOTCERT: "/etc/ssl/pg-ca.pem",
        LC_ALL: "C.UTF-8",
        PATH: process.env.PATH,
      });
      for (const name of ["AWS_SECRET_ACCESS_KEY", "PF_TEST_WEST_PW", "PGPASSFILE", "PGOPTIONS", "PGSERVICE"])
        expect(env, name).not.toHaveProperty(name);
      // A connection without a password does not inherit the shell's.
      const lab = pgEnv(
        { name: "east", host: "127.0.0.1", port: 54331, user: "postgres", source: "lab" },
        "orders",
        "x",
      );
      expect(lab).not.toHaveProperty("PGPASSWORD");
    } finally {
      for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
      Object.assign(process.env, saved);
    }
  });
});
