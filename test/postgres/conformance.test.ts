// Every postgres tool keeps the promises its manifest makes, on real clusters:
// schemas, dry run, verify probe, compensation — the sandbox conformance checks, against the lab.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkExpect } from "../../src/expect/index.js";
import { APP_ROLE, APP_ROLE_INITIAL_PASSWORD } from "../../src/lab/index.js";
import { loadRegistry, type Registry } from "../../src/registry/index.js";
import { tryLogin } from "../../tools/postgres/client.js";
import { resolveTemplate } from "../sandbox/helpers.js";
import { SKIP_REASON, type TestLab, useLab } from "./helpers.js";

/** The lab as the tests see it: databases, read-only flags, tables and counts, roles, grants, the catalog, dump files. */
async function snapshot(lab: TestLab) {
  const out: Record<string, unknown> = {};
  for (const cluster of ["east", "west"]) {
    const dbs = await lab.query<{ datname: string; ro: boolean }>(
      cluster,
      "postgres",
      `SELECT datname, coalesce((SELECT bool_or(s = 'default_transaction_read_only=on') FROM pg_db_role_setting r, unnest(r.setconfig) s
                                   WHERE r.setdatabase = d.oid AND r.setrole = 0), false) AS ro
         FROM pg_database d WHERE NOT datistemplate AND datname <> 'postgres' ORDER BY 1`,
    );
    const databases: Record<string, unknown> = {};
    for (const { datname, ro } of dbs) {
      // One connection per database per snapshot: the snapshot runs four times per example.
      const c = new pg.Client({ host: "127.0.0.1", port: lab.port(cluster), user: "postgres", database: datname });
      await c.connect();
      try {
        const tables = await c.query(
          "SELECT format('%I.%I', schemaname, tablename) AS name FROM pg_tables WHERE schemaname NOT IN ('pg_catalog','information_schema') ORDER BY 1",
        );
        const counts: Record<string, number> = {};
        for (const t of tables.rows)
          counts[t.name] = Number((await c.query(`SELECT count(*)::int AS n FROM ${t.name}`)).rows[0].n);
        const grants = await c.query(
          "SELECT grantee, table_name, privilege_type FROM information_schema.role_table_grants WHERE grantee NOT IN ('postgres', 'PUBLIC') ORDER BY 1, 2, 3",
        );
        databases[datname] = { readOnly: ro, counts, grants: grants.rows };
      } finally {
        await c.end();
      }
    }
    const roles = await lab.query(
      cluster,
      "postgres",
      "SELECT rolname, rolcanlogin FROM pg_roles WHERE rolname NOT LIKE 'pg\\_%' ORDER BY 1",
    );
    // SCRAM hashes are salted, so a password is compared by logging in with it, not by its hash.
    out[cluster] = { databases, roles, appPasswordIsInitial: await logsIn(lab, cluster) };
  }
  out.catalog = await lab.query(
    "east",
    "catalog",
    "SELECT name, cluster, host, port, database FROM services ORDER BY name",
  );
  let dumps: string[] = [];
  try {
    dumps = readdirSync(join(lab.stateDir, "postgres", "dumps")).sort();
  } catch {}
  out.dumps = dumps;
  return out;
}

async function logsIn(lab: TestLab, cluster: string): Promise<boolean> {
  const server = { host: "127.0.0.1", port: lab.port(cluster) };
  return (await tryLogin(server, { role: APP_ROLE, password: APP_ROLE_INITIAL_PASSWORD })).accepted;
}

describe.skipIf(SKIP_REASON)(`postgres tool conformance${SKIP_REASON ? ` (skipped: ${SKIP_REASON})` : ""}`, () => {
  const lab = useLab(2_000);
  let registry: Registry;
  let baseline: unknown;

  /** Named starting points for examples, the way the sandbox's examples name fixtures. */
  const fixtures: Record<string, () => Promise<void>> = {
    scratch: async () => {
      await lab.query("west", "postgres", "CREATE DATABASE scratch");
    },
    "scratch-full": async () => {
      await lab.query("west", "postgres", "CREATE DATABASE scratch");
      await lab.query("west", "scratch", "CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1), (2), (3)");
    },
    "dump-ready": async () => {
      await lab.query("west", "postgres", "CREATE DATABASE scratch");
      await registry.call("postgres.db.dump", { cluster: "east", database: "inventory", file: "inventory.dump" });
    },
    "reporting-role": async () => {
      await lab.query("west", "postgres", "CREATE ROLE reporting LOGIN");
    },
  };

  /** Back to the seeded lab, whatever a case left behind; checked against the baseline after each case. */
  async function cleanup() {
    await lab.query("west", "postgres", "DROP DATABASE IF EXISTS scratch WITH (FORCE)");
    await lab.query("west", "postgres", "DROP ROLE IF EXISTS reporting");
    for (const f of ["inventory.dump", "inventory-example.dump"])
      await registry.call("postgres.dump.delete", { file: f });
    for (const db of ["orders", "inventory"])
      await lab.query("east", "postgres", `ALTER DATABASE ${db} RESET default_transaction_read_only`);
    await lab.query("east", "postgres", `ALTER ROLE ${APP_ROLE} PASSWORD '${APP_ROLE_INITIAL_PASSWORD}'`);
    await lab.query("east", "catalog", "UPDATE services SET cluster = 'east', port = $1, database = name", [
      lab.port("east"),
    ]);
  }

  beforeAll(async () => {
    registry = await loadRegistry({ toolsDir: "tools", stateDir: lab.stateDir });
    // Rotation examples compare password hashes, so start from a known one.
    await lab.query("east", "postgres", `ALTER ROLE ${APP_ROLE} PASSWORD '${APP_ROLE_INITIAL_PASSWORD}'`);
    baseline = await snapshot(lab);
  });
  afterAll(async () => registry?.close());

  const names = () => registry.list().filter((t) => t.name.startsWith("postgres."));

  it("registers the pack's tools, each with an example and closed object schemas", () => {
    expect(names().length).toBeGreaterThanOrEqual(20);
    for (const t of names()) {
      expect(t.manifest.examples?.length, t.name).toBeGreaterThan(0);
      expect(t.outputSchema, t.name).toMatchObject({ type: "object", additionalProperties: false });
      expect(t.inputSchema, t.name).toMatchObject({ type: "object", additionalProperties: false });
    }
  });

  it("every write or destructive tool declares a verify probe or is idempotent, and compensations name pack tools", () => {
    for (const t of names().filter((t) => t.effect !== "read")) {
      expect(t.idempotent || t.manifest.verify !== undefined, `${t.name}: non-idempotent without verify`).toBe(true);
      if (t.compensation) expect(registry.get(t.compensation.tool), t.name).toBeDefined();
      if (t.manifest.verify) expect(registry.get(t.manifest.verify.tool)!.effect, t.name).toBe("read");
    }
  });

  it("runs every example against the lab: dry run changes nothing, reads change nothing, writes change the lab, verify holds, compensation restores", async () => {
    for (const tool of names()) {
      for (const example of tool.manifest.examples ?? []) {
        const label = `${tool.name} (${example.fixture ?? "lab"})`;
        if (example.fixture) await fixtures[example.fixture]!();
        const before = await snapshot(lab);

        if (tool.effect !== "read") {
          if (tool.dryRun) {
            await registry.call(tool.name, example.args, { dryRun: true });
            expect(await snapshot(lab), `${label}: a dry run changes nothing`).toEqual(before);
          } else {
            await expect(registry.call(tool.name, example.args, { dryRun: true }), label).rejects.toThrow();
          }
        }

        let idle: pg.Client | undefined;
        if (tool.name === "postgres.db.terminate") {
          idle = new pg.Client({ host: "127.0.0.1", port: lab.port("east"), user: "postgres", database: "inventory" });
          idle.on("error", () => {});
          await idle.connect();
        }
        const output = (await registry.call(tool.name, example.args, { idempotencyKey: "conformance" })) as Record<
          string,
          unknown
        >;
        const after = await snapshot(lab);
        if (tool.effect === "read") expect(after, `${label}: a read changes nothing`).toEqual(before);
        else if (idle) expect(output.terminated, `${label}: the open session was terminated`).toBeGreaterThanOrEqual(1);
        else expect(after, `${label}: a write changes the lab`).not.toEqual(before);
        await idle?.end().catch(() => {});

        const verify = tool.manifest.verify;
        if (verify) {
          const verifyOutput = await registry.call(verify.tool, resolveTemplate(verify.args, { args: example.args }));
          expect(checkExpect(verify.expect, { outputs: verifyOutput, args: example.args }), `${label}: verify`).toEqual(
            {
              ok: true,
            },
          );
        }
        if (tool.compensation) {
          await registry.call(
            tool.compensation.tool,
            resolveTemplate(tool.compensation.args, { args: example.args, outputs: output }),
          );
          expect(await snapshot(lab), `${label}: compensation restores the lab`).toEqual(before);
        }
        await cleanup();
        expect(await snapshot(lab), `${label}: clean-up returned to the seeded lab`).toEqual(baseline);
      }
    }
  }, 600_000);

  it("maps failures onto typed codes that say what to do next", async () => {
    const fail = (tool: string, args: unknown) =>
      registry.call(tool, args).then(
        () => {
          throw new Error(`${tool} succeeded`);
        },
        (e) => ({ code: e.details?.toolCode as string, message: String(e.message), transient: e.transient as boolean }),
      );
    expect(await fail("postgres.db.create", { cluster: "east", database: "orders" })).toMatchObject({
      code: "ALREADY_EXISTS",
      message: expect.stringContaining("drop it first"),
    });
    expect(await fail("postgres.db.describe", { cluster: "west", database: "nope" })).toMatchObject({
      code: "NOT_FOUND",
    });
    expect(await fail("postgres.db.list", { cluster: "mars" })).toMatchObject({
      code: "NOT_FOUND",
      message: expect.stringContaining("known: east, west"),
    });
    expect(
      await fail("postgres.db.restore", { cluster: "east", database: "orders", file: "missing.dump" }),
    ).toMatchObject({
      code: "NOT_FOUND",
    });
    const idle = new pg.Client({ host: "127.0.0.1", port: lab.port("east"), user: "postgres", database: "inventory" });
    await idle.connect();
    try {
      expect(await fail("postgres.db.drop", { cluster: "east", database: "inventory" })).toMatchObject({
        code: "CONFLICT",
        message: expect.stringContaining("terminate"),
      });
    } finally {
      await idle.end();
    }
  });
});
