/**
 * The store's tables, created and migrated by whichever command opens the
 * store first: each migration runs once, in order, recorded in
 * `schema_version`, under a transaction-level advisory lock so two commands
 * starting at once do not both migrate.
 */
import type pg from "pg";
import { StoreError } from "../store-error.js";

const MIGRATIONS: ((s: string) => string)[] = [
  (s) => `
    create table ${s}.runs (
      run_id text primary key,
      plan_name text,
      digest text,
      -- the machine and process that last worked on the run
      host text,
      pid integer,
      -- queued | running | a RunResult status
      status text not null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      -- a run put in the queue (planfile run --enqueue): its validated plan, pinned by digest
      queued_plan jsonb,
      queued_by text
    );
    create table ${s}.journal (
      run_id text not null references ${s}.runs (run_id) on delete cascade,
      seq integer not null,
      entry jsonb not null,
      primary key (run_id, seq)
    );
    -- who holds a run's advisory lock: live only while that backend still holds it (see holder())
    create table ${s}.owners (
      run_id text primary key,
      host text not null,
      pid integer not null,
      backend_pid integer not null,
      since timestamptz not null default now()
    );`,
  // The queue: what an enqueued run was approved for up front, and by whom (e.g. a PR's reviewers).
  (s) => `
    alter table ${s}.runs add column queued_approve jsonb, add column queued_approved_by text;`,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export async function migrate(client: pg.ClientBase, schema: string): Promise<void> {
  const s = quoteIdent(schema);
  await client.query("begin");
  try {
    await client.query("select pg_advisory_xact_lock(hashtextextended($1, 0))", [`planfile-store-migrate:${schema}`]);
    await client.query(`create schema if not exists ${s}`);
    await client.query(
      `create table if not exists ${s}.schema_version (version integer primary key, applied_at timestamptz not null default now())`,
    );
    const current = Number(
      (await client.query(`select coalesce(max(version), 0) as v from ${s}.schema_version`)).rows[0].v,
    );
    if (current > MIGRATIONS.length)
      throw new StoreError(
        `the run store's schema is at version ${current}, newer than this planfile knows (${MIGRATIONS.length}); upgrade planfile`,
      );
    for (let v = current + 1; v <= MIGRATIONS.length; v++) {
      await client.query(MIGRATIONS[v - 1]!(s));
      await client.query(`insert into ${s}.schema_version (version) values ($1)`, [v]);
    }
    await client.query("commit");
  } catch (error) {
    await client.query("rollback").catch(() => {});
    throw error;
  }
}
