// Start-up time of the commands, each measured beside its baseline in one run (issue 13, item 6):
//   through tsx (a checkout): `tsx src/<cmd>.ts --help` and `tsx src/validate.ts plans/*.yaml`
//     against `tsx -e 0`; targets +0.1 s for --help, +0.2 s for validate;
//   compiled (the installed command): `node dist/src/planfile.js <cmd> --help` against `node -e 0`;
//     target +0.1 s. dist/ is built first (`npm run build`), as `npm pack` does.
// Rounds alternate the commands (A B C … A B C …), so load on the machine hits every row alike;
// each row is the median of its rounds. STARTUP_ROUNDS sets the number of rounds (default 9, at least 5).
// `validate` reads checked manifests, compiled validators and unchanged plans' data from the user's
// cache (src/schema/disk-cache.ts):
// the warm rows share one cache folder of the bench's own, filled by the warm-up pass; the cold row
// gets an empty folder every time, which is what the first `validate` after a change pays.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { COMMANDS } from "../src/cli/commands.js";
import { median, type BenchTable } from "./table.js";

const root = fileURLToPath(new URL("../", import.meta.url));
const tsx = `${root}node_modules/.bin/tsx`;
const node = process.execPath;
const plans = readdirSync(`${root}plans`)
  .filter((f) => f.endsWith(".yaml"))
  .map((f) => `plans/${f}`);

interface Row {
  label: string;
  argv: [string, ...string[]];
  baseline?: string;
  targetMs?: number;
  /** Start every sample with an empty cache folder. */
  coldCache?: boolean;
}

const cacheRoot = mkdtempSync(join(tmpdir(), "planfile-bench-startup-"));
const warmCache = join(cacheRoot, "warm");

function rows(): Row[] {
  const viaTsx: Row[] = [
    { label: "tsx -e 0", argv: [tsx, "-e", "0"] },
    ...Object.keys(COMMANDS).map(
      (c): Row => ({
        label: `tsx src/${c}.ts --help`,
        argv: [tsx, `src/${c}.ts`, "--help"],
        baseline: "tsx -e 0",
        targetMs: 100,
      }),
    ),
    {
      label: `tsx src/validate.ts plans/*.yaml (${plans.length})`,
      argv: [tsx, "src/validate.ts", ...plans],
      baseline: "tsx -e 0",
      targetMs: 200,
    },
    {
      label: `tsx src/validate.ts plans/*.yaml (${plans.length}), cold cache`,
      argv: [tsx, "src/validate.ts", ...plans],
      baseline: "tsx -e 0",
      coldCache: true,
    },
  ];
  const compiled: Row[] = [
    { label: "node -e 0", argv: [node, "-e", "0"] },
    {
      label: "planfile --help (dist)",
      argv: [node, "dist/src/planfile.js", "--help"],
      baseline: "node -e 0",
      targetMs: 100,
    },
    ...Object.keys(COMMANDS).map(
      (c): Row => ({
        label: `planfile ${c} --help (dist)`,
        argv: [node, "dist/src/planfile.js", c, "--help"],
        baseline: "node -e 0",
        targetMs: 100,
      }),
    ),
    {
      label: `planfile validate plans/*.yaml (dist)`,
      argv: [node, "dist/src/planfile.js", "validate", ...plans],
      baseline: "node -e 0",
    },
  ];
  return [...viaTsx, ...compiled];
}

let colds = 0;
function time({ argv: [file, ...args], coldCache }: Row): number {
  const cache = coldCache ? join(cacheRoot, `cold-${colds++}`) : warmCache;
  const env = { ...process.env, PLANFILE_CACHE_DIR: cache };
  const t0 = performance.now();
  const r = spawnSync(file, args, { cwd: root, stdio: "ignore", env });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${[file, ...args].join(" ")} exited ${r.status}`);
  if (coldCache) rmSync(cache, { recursive: true, force: true });
  return ms;
}

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(", ");

export default async function startup(): Promise<BenchTable[]> {
  execFileSync("npm", ["run", "--silent", "build"], { cwd: root, stdio: "inherit" });
  const all = rows();
  const rounds = Math.max(5, Number(process.env.STARTUP_ROUNDS ?? 9));
  const samples = new Map(all.map((r) => [r.label, [] as number[]]));
  const loadBefore = load();
  for (const r of all) time(r); // warm the file cache, tsx's transform cache and the warm rows' planfile cache
  for (let i = 0; i < rounds; i++) for (const r of all) samples.get(r.label)!.push(time(r));
  const loadAfter = load();
  rmSync(cacheRoot, { recursive: true, force: true });
  const med = (label: string) => median(samples.get(label)!);
  const spread = (label: string) => {
    const s = [...samples.get(label)!].sort((a, b) => a - b);
    return `${Math.round(s[Math.floor((s.length - 1) / 4)]!)}–${Math.round(s[Math.ceil(((s.length - 1) * 3) / 4)]!)}`;
  };

  const table = all.map((r) => {
    const m = med(r.label);
    if (!r.baseline) return [r.label, Math.round(m), spread(r.label), "", "", "", "", ""];
    const base = med(r.baseline);
    const delta = m - base;
    return [
      r.label,
      Math.round(m),
      spread(r.label),
      r.baseline,
      Math.round(delta),
      `${(m / base).toFixed(2)}×`,
      r.targetMs === undefined ? "" : `+${r.targetMs}`,
      r.targetMs === undefined ? "" : delta <= r.targetMs ? "holds" : "MISSED",
    ];
  });
  return [
    {
      title: `Start-up: each command beside tsx -e 0 / node -e 0 (medians of ${rounds} alternating rounds, ms)`,
      columns: ["command", "median ms", "p25–p75", "baseline", "Δ ms", "ratio", "target Δ", "target"],
      rows: table,
      notes: [
        "`--help` answers before any library is imported; `validate` loads the registry and validator only, reads checked manifests, compiled validators and unchanged plans' data from the cache, and imports no tool handler; the cold row shows a first run after a change (ajv's compiler and the YAML parser at work). The installed `planfile` runs dist/ (compiled at pack time), so it pays no tsx start-up.",
        `Load average (1, 5, 15 min) on ${cpus().length} cores: ${loadBefore} before, ${loadAfter} after.`,
      ],
    },
  ];
}
