// Every kill point, on the sandbox: the real CLI is SIGKILLed right after each journal line and right after
// each tool call returns (effect done, result not journaled), during the run and its rollback, and again
// during the recovery (resume, rollback.ts). An operator then finishes, answering what no probe can tell
// from the sandbox's call log. Every trial must end rolled back, with the world exactly as before the run
// and no non-idempotent call applied twice.
import { expect, it } from "vitest";
import { loadRegistry } from "../../src/registry/index.js";
import {
  foldJournal,
  rollbackRun,
  run,
  type OutcomeAnswer,
  type RunResult,
  type RunState,
} from "../../src/runner/index.js";
import { readWorld, resetWorld, worldWithoutCallLog, type World } from "../../tools/sandbox/world/index.js";
import type { RunStore } from "../../src/store/index.js";
import { entry } from "../cli/helpers.js";
import { describeStores, type StoreKind } from "../store/stores.js";
import { tempDir } from "./helpers.js";

const PLAN = "test/fixtures/runner/sandbox-crash.yaml";
const RUN = "k";

/** The plan's journal: run-started, approved, intent+result × 4 steps, rollback-started, intent+result × 3 undos, run-finished. */
const LINES = 18;
/** Tool calls that return: 4 steps, 3 compensations. */
const CALLS = 7;

const cli = (script: "run" | "rollback", state: string, args: string[], env: Record<string, string> = {}) =>
  entry(script, ["--state-dir", state, ...args], { env });

/**
 * What an operator would answer, having looked at the sandbox's call log: a call with the step's idempotency
 * key that succeeded happened. A dump that happened but whose output (its path) died with the process is
 * deleted by hand (its path is in the sandbox's record of the call), then answered "undone".
 */
async function answersFromCallLog(state: string, s: RunState): Promise<Record<string, OutcomeAnswer>> {
  const world = readWorld(state);
  const ok = (key: string) => world.calls.some((c) => c.idempotencyKey === key && c.ok);
  const answers: Record<string, OutcomeAnswer> = {};
  for (const id of [...s.inFlight.keys(), ...s.happened.keys()]) {
    if (s.compensated.has(id)) continue;
    answers[id] = ok(`${RUN}:${id}`) ? "happened" : "not-happened";
    if (id === "dump" && answers[id] === "happened" && !s.returned.has("dump")) {
      const path = (world.idempotency[`sandbox.db.dump ${RUN}:dump`]!.output as { path: string }).path;
      if (world.dumps[path]) await (await loadRegistry({ stateDir: state })).call("sandbox.db.deleteDump", { path });
      answers[id] = "undone";
    }
  }
  for (const id of s.compensationInFlight.keys())
    answers[id] = ok(`${RUN}:${id}:rollback`) ? "happened" : "not-happened";
  return answers;
}

const flags = (answers: Record<string, OutcomeAnswer>) =>
  Object.keys(answers).length > 0
    ? [
        "--resolve",
        Object.entries(answers)
          .map(([k, v]) => `${k}=${v}`)
          .join(","),
      ]
    : [];

/** The operator's way out, in-process: resume; if that cannot go on, roll back; answer what is asked. */
async function finish(state: string, store: RunStore): Promise<RunResult> {
  const registry = await loadRegistry({ stateDir: state });
  let result: RunResult | undefined;
  for (let round = 0; round < 3; round++) {
    const s = foldJournal(await store.read(RUN));
    const resolve = await answersFromCallLog(state, s);
    result =
      round === 0 && !s.rollback
        ? await run(s.plan, { registry, store, runId: RUN, resume: true, approve: "all", resolve, retryDelayMs: 0 })
        : await rollbackRun(RUN, { registry, store, resolve, retryDelayMs: 0 });
    if (result.status === "rolled-back" || result.status === "succeeded") break;
  }
  await registry.close();
  return result!;
}

/** Non-idempotent calls that really applied (not replays), per idempotency key: never more than one. */
function appliedTwice(world: World): string[] {
  const seen = new Map<string, number>();
  for (const c of world.calls)
    if (c.ok && !c.replay && c.idempotencyKey)
      seen.set(`${c.tool} ${c.idempotencyKey}`, (seen.get(`${c.tool} ${c.idempotencyKey}`) ?? 0) + 1);
  const idempotent = new Set(["sandbox.db.setReadOnly"]);
  return [...seen].filter(([k, n]) => n > 1 && !idempotent.has(k.split(" ")[0]!)).map(([k]) => k);
}

type Kill = { env: Record<string, string>; label: string };
const kills: Kill[] = [
  ...Array.from({ length: LINES - 1 }, (_, i) => ({
    env: { PLANFILE_TEST_KILL_AT_LINE: String(i + 1) },
    label: `after journal line ${i + 1}`,
  })),
  ...Array.from({ length: CALLS }, (_, i) => ({
    env: { PLANFILE_TEST_KILL_AFTER_CALL: String(i + 1) },
    label: `after call ${i + 1} returned`,
  })),
];

/** Runs trials two at a time: the machine has two cores. */
async function pool<T>(items: T[], body: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(
    [0, 1].map(async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await body(item);
    }),
  );
}

async function trial(kind: StoreKind, kill: Kill, again?: { script: "run" | "rollback"; env: Record<string, string> }) {
  const state = tempDir();
  resetWorld(state);
  const store = kind.open(state);
  const env = kind.env(store);
  const before = worldWithoutCallLog(readWorld(state));
  const first = await cli("run", state, ["--run-id", RUN, "--yes", PLAN], { ...env, ...kill.env });
  expect(first.signal, kill.label).toBe("SIGKILL");
  if (again) {
    const s = foldJournal(await store.read(RUN));
    const answers = await answersFromCallLog(state, s);
    const args =
      again.script === "run" ? ["--resume", RUN, "--yes", ...flags(answers)] : ["--yes", ...flags(answers), RUN];
    const second = await cli(again.script, state, args, { ...env, ...again.env });
    expect(second.signal, `${kill.label}, then ${again.script}`).toBe("SIGKILL");
  }
  const result = await finish(state, store);
  expect(result.status, `${kill.label}: ${JSON.stringify(result).slice(0, 400)}`).toBe("rolled-back");
  const world = readWorld(state);
  expect(worldWithoutCallLog(world), kill.label).toEqual(before);
  expect(appliedTwice(world), kill.label).toEqual([]);
}

// On each store: the journal in files, or in PostgreSQL.
describeStores("recovery from every kill point ends rolled back, the world as before", (kind) => {
  it(`killed at each of ${kills.length} points of a run (and its rollback)`, async () => {
    await pool(kills, (kill) => trial(kind, kill));
  }, 600_000);

  it("killed again while recovering: in `run.ts --resume` and in `rollback.ts`", async () => {
    const second = (n: number) => ({ PLANFILE_TEST_KILL_AFTER_CALL: String(n) });
    await pool(
      [
        [kills[3]!, { script: "run" as const, env: second(1) }],
        [kills[5]!, { script: "run" as const, env: second(2) }],
        [kills[9]!, { script: "rollback" as const, env: second(1) }],
        [kills[12]!, { script: "rollback" as const, env: second(1) }],
        [kills[LINES]!, { script: "rollback" as const, env: second(1) }],
      ] as const,
      ([kill, again]) => trial(kind, kill, again),
    );
  }, 600_000);
});
