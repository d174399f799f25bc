// Start-up time of the commands, each measured beside its baseline in one run (issue 13, item 6):
//   through tsx (a checkout): `tsx src/<cmd>.ts --help` and `tsx src/validate.ts plans/*.yaml`
//     against `tsx -e 0`; targets +0.1 s for --help, +0.2 s for validate;
//   compiled (the installed command): `node dist/src/planfile.js <cmd> --help` against `node -e 0`;
//     target +0.1 s. dist/ is built first (`npm run build`), as `npm pack` does.
// Rounds alternate the commands (A B C … A B C …), so load on the machine hits every row alike;
// each row is the median of its rounds. STARTUP_ROUNDS sets the number of rounds (default 9).
import { execFileSync, spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
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
}

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

function time([file, ...args]: Row["argv"]): number {
  const t0 = performance.now();
  const r = spawnSync(file, args, { cwd: root, stdio: "ignore" });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${[file, ...args].join(" ")} exited ${r.status}`);
  return ms;
}

export default async function startup(): Promise<BenchTable[]> {
  execFileSync("npm", ["run", "--silent", "build"], { cwd: root, stdio: "inherit" });
  const all = rows();
  const rounds = Number(process.env.STARTUP_ROUNDS ?? 9);
  const samples = new Map(all.map((r) => [r.label, [] as number[]]));
  for (const r of all) time(r.argv); // warm the file cache and tsx's transform cache
  for (let i = 0; i < rounds; i++) for (const r of all) samples.get(r.label)!.push(time(r.argv));
  const med = (label: string) => median(samples.get(label)!);

  const table = all.map((r) => {
    const m = med(r.label);
    if (!r.baseline) return [r.label, Math.round(m), "", "", "", "", ""];
    const base = med(r.baseline);
    const delta = m - base;
    return [
      r.label,
      Math.round(m),
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
      columns: ["command", "median ms", "baseline", "Δ ms", "ratio", "target Δ", "target"],
      rows: table,
      notes: [
        "`--help` answers before any library is imported; `validate` loads the registry and validator only. The installed `planfile` runs dist/ (compiled at pack time), so it pays no tsx start-up.",
      ],
    },
  ];
}
