// The stores the runner's tests run against: the files, always; PostgreSQL when PLANFILE_TEST_STORE_URL names a
// server (.ci/run starts one). Without it the PostgreSQL variants are reported as skipped, by name.
import { randomBytes } from "node:crypto";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe } from "vitest";
import { FileRunStore, type RunStore } from "../../src/store/index.js";
import { PostgresRunStore } from "../../src/store/postgres/store.js";
import { resetWorld } from "../../tools/sandbox/world/index.js";
import { type Harness, tempDir } from "../runner/helpers.js";

export const TEST_STORE_URL = process.env.PLANFILE_TEST_STORE_URL || undefined;

export interface StoreKind {
  name: "files" | "postgres";
  /** A fresh, empty store; `stateDir` holds the file store's runs. */
  open(stateDir: string): RunStore;
  /** What a child process needs in its environment to use the same store as `open(stateDir)` gave. */
  env(store: RunStore): Record<string, string>;
}

const opened: RunStore[] = [];

export const FILES: StoreKind = {
  name: "files",
  open: (stateDir) => new FileRunStore(join(stateDir, "runs")),
  env: () => ({ PLANFILE_STORE_URL: "" }),
};

export const POSTGRES: StoreKind = {
  name: "postgres",
  open: () => {
    // One schema per store: tests share the server, never each other's runs.
    const store = new PostgresRunStore(TEST_STORE_URL!, { schema: `t_${randomBytes(6).toString("hex")}` });
    opened.push(store);
    return store;
  },
  env: (store) => ({
    PLANFILE_STORE_URL: TEST_STORE_URL!,
    PLANFILE_STORE_SCHEMA: (store as PostgresRunStore).schema,
  }),
};

afterAll(async () => {
  for (const store of opened.splice(0)) {
    const s = store as PostgresRunStore;
    await (await s.db()).query(`drop schema if exists "${s.schema}", "${s.schema}_queue" cascade`).catch(() => {});
    await s.close();
  }
});

/** `describe` once per store; the PostgreSQL one is skipped (and named) when no server is given. */
export function describeStores(title: string, body: (kind: StoreKind) => void, options: { timeout?: number } = {}) {
  describe(`${title} [files]`, options, () => body(FILES));
  describe.skipIf(!TEST_STORE_URL)(`${title} [postgres]`, options, () => body(POSTGRES));
}

/** Keeps the first `count` lines of a run's journal, as if its process had died there. */
export async function keepLines(store: RunStore, runId: string, count: number): Promise<void> {
  if (store instanceof FileRunStore) {
    const lines = (await store.read(runId)).slice(0, count);
    writeFileSync(join(store.runsDir, runId, "journal.ndjson"), lines.map((e) => `${JSON.stringify(e)}\n`).join(""));
    return;
  }
  const pg = store as PostgresRunStore;
  await (await pg.db()).query(`delete from ${pg.table("journal")} where run_id = $1 and seq > $2`, [runId, count]);
}

/** A store of `kind` per harness, and the run() options the runner's suites share (run id r1, no retry delay). */
export function runOptionsOn(kind: () => StoreKind) {
  const storeOf = storePerHarness(kind);
  const opts = (h: Harness, extra = {}) => ({
    registry: h.registry,
    store: storeOf(h),
    onEvent: h.onEvent,
    runId: "r1",
    retryDelayMs: 0,
    ...extra,
  });
  return { storeOf, opts };
}

/** One store of `kind` per test harness (by its state folder), opened on first use. */
export function storePerHarness(kind: () => StoreKind): (h: { stateDir: string }) => RunStore {
  const stores = new WeakMap<object, RunStore>();
  return (h) => {
    if (!stores.has(h)) stores.set(h, kind().open(h.stateDir));
    return stores.get(h)!;
  };
}

/** Two machines: their own state folders, one sandbox world (b's is a link to a's). */
export function twoMachines(): { a: string; b: string } {
  const a = tempDir();
  const b = tempDir();
  resetWorld(a);
  mkdirSync(b, { recursive: true });
  symlinkSync(join(a, "sandbox"), join(b, "sandbox"));
  return { a, b };
}
