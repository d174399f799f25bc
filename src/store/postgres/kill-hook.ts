/**
 * The crash tests' hook (PLANFILE_TEST_KILL_AT_LINE) for the PostgreSQL
 * journal: the file journal dies right after line N is written, before the
 * runner does anything else. Here a line is written by an asynchronous query,
 * so the lines not yet committed are committed by a child process while this
 * one waits (spawnSync), and then this one is killed, still inside `append`.
 */
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";

const CHILD = `
const pg = require(process.argv[1]);
let input = "";
process.stdin.on("data", (d) => (input += d)).on("end", async () => {
  const { url, runs, journal, runId, rows, host, pid } = JSON.parse(input);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query("insert into " + runs + " (run_id, host, pid, status) values ($1, $2, $3, 'running') on conflict (run_id) do update set host = $2, pid = $3", [runId, host, pid]);
  for (const [seq, entry] of rows)
    await client.query("insert into " + journal + " (run_id, seq, entry) values ($1, $2, $3::jsonb) on conflict do nothing", [runId, seq, entry]);
  await client.end();
});`;

export function commitThenDie(input: {
  url: string;
  runs: string;
  journal: string;
  runId: string;
  rows: [number, string][];
  host: string;
  pid: number;
}): never {
  const pg = createRequire(import.meta.url).resolve("pg");
  const r = spawnSync(process.execPath, ["-e", CHILD, pg], {
    input: JSON.stringify(input),
    stdio: ["pipe", "inherit", "inherit"],
  });
  if (r.status !== 0) process.stderr.write("kill hook: the journal lines could not be committed\n");
  process.kill(process.pid, "SIGKILL");
  throw new Error("unreachable");
}
