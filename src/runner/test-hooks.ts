/**
 * Kill points for the crash tests, set by environment:
 * - `PLANFILE_TEST_KILL_AT_LINE=N`: SIGKILL right after line N of a journal is
 *   written (before it is synced);
 * - `PLANFILE_TEST_KILL_AFTER_CALL=N`: SIGKILL right after the Nth tool call of
 *   a step or compensation returns, before the runner journals its result (the
 *   effect happened; the journal does not know);
 * - `PLANFILE_TEST_KILL_BEFORE_SYNC=N`: SIGKILL just before the Nth fdatasync
 *   starts: its lines are written, not yet durable;
 * - `PLANFILE_TEST_POWER_CUT=1`, with any of the above: before dying, cut each
 *   open journal back to what fdatasync made durable, as a power cut would
 *   (a killed process alone loses nothing it wrote).
 */
import { truncateSync } from "node:fs";

const KILL_AFTER_CALL = Number(process.env.PLANFILE_TEST_KILL_AFTER_CALL ?? 0);
const KILL_AT_LINE = Number(process.env.PLANFILE_TEST_KILL_AT_LINE ?? 0);
const KILL_BEFORE_SYNC = Number(process.env.PLANFILE_TEST_KILL_BEFORE_SYNC ?? 0);
const POWER_CUT = process.env.PLANFILE_TEST_POWER_CUT === "1";
let returned = 0;

/** The journals open in this process, for the power cut. */
export const openJournals = new Set<{ readonly file: { path: string; syncedBytes: number } }>();

function die(): never {
  if (POWER_CUT) for (const j of openJournals) truncateSync(j.file.path, j.file.syncedBytes);
  process.kill(process.pid, "SIGKILL");
  throw new Error("unreachable: killed");
}

export function callReturned(): void {
  if (KILL_AFTER_CALL > 0 && ++returned === KILL_AFTER_CALL) die();
}

/** A journal wrote its line `n`. */
export function onLine(n: number): void {
  if (KILL_AT_LINE > 0 && n === KILL_AT_LINE) die();
}

/** This process is about to start its `n`th fdatasync. */
export function beforeSync(n: number): void {
  if (KILL_BEFORE_SYNC > 0 && n === KILL_BEFORE_SYNC) die();
}
