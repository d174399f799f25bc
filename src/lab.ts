#!/usr/bin/env -S npx tsx
// Thin CLI over the lab library (src/lab/): two local PostgreSQL clusters for the postgres tool pack.
import { parseCli, runMain, usage } from "./cli/main.js";
import { DEFAULT_ROWS, labDown, labFile, labStatus, labUp } from "./lab/index.js";

const HELP = `
Usage: tsx src/lab.ts <command> [options]

Two real PostgreSQL clusters on loopback, "east" and "west", standing for two
regions. Data lives only under <state-dir>/lab/. Needs the PostgreSQL programs
(Debian/Ubuntu: apt-get install -y postgresql; macOS: brew install postgresql@15).

Commands:
  up         Create (once), start and seed (once) both clusters; print where they are.
  down       Stop both clusters (--destroy: and delete their data).
  status     Where each cluster is, whether it is up, its databases (--json).

Options:
  --state-dir DIR      where the lab lives (default: .planfile)
  --east-port N        east's port (default 54331; 0 = any free port)
  --west-port N        west's port (default 54332; 0 = any free port)
  --rows N             up: about how many rows to seed into orders (default ${DEFAULT_ROWS})
  --reset              up: throw the lab away and start over
  --destroy            down: delete the lab's data too
  --json               status: print JSON
`;

runMain(async () => {
  const { values, positionals } = parseCli(
    {
      options: {
        "state-dir": { type: "string" },
        "east-port": { type: "string" },
        "west-port": { type: "string" },
        rows: { type: "string" },
        reset: { type: "boolean" },
        destroy: { type: "boolean" },
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    },
    HELP,
  );
  const stateDir = values["state-dir"] ?? ".planfile";
  const [command, ...extra] = positionals;
  if (extra.length > 0) throw usage(`unexpected arguments: ${extra.join(" ")}\n${HELP}`);
  switch (command) {
    case "up": {
      const ports: Record<string, number> = {};
      for (const name of ["east", "west"]) {
        const raw = values[`${name}-port` as "east-port"];
        if (raw !== undefined) ports[name] = integer(`--${name}-port`, raw, 0, 65535);
      }
      await labUp({
        stateDir,
        ports,
        rows: values.rows === undefined ? undefined : integer("--rows", values.rows, 10, 100_000_000),
        reset: values.reset,
        onProgress: (m) => process.stderr.write(`${m}\n`),
      });
      return printStatus(stateDir, values.json);
    }
    case "down": {
      const stopped = await labDown({ stateDir, destroy: values.destroy });
      process.stderr.write(
        `${stopped.length ? `stopped ${stopped.join(", ")}` : "no lab cluster was running"}${values.destroy ? "; lab data deleted" : ""}\n`,
      );
      return;
    }
    case "status":
      return printStatus(stateDir, values.json);
    default:
      throw usage(
        command ? `unknown command \`${command}\`; expected up, down or status\n${HELP}` : `no command given\n${HELP}`,
      );
  }
});

async function printStatus(stateDir: string, json: boolean | undefined): Promise<number> {
  const clusters = await labStatus(stateDir);
  if (!clusters) {
    process.stderr.write(`no lab in ${stateDir} (no ${labFile(stateDir)}); start one: tsx src/lab.ts up\n`);
    return 1;
  }
  if (json) {
    process.stdout.write(`${JSON.stringify({ clusters }, null, 2)}\n`);
    return 0;
  }
  for (const c of clusters) {
    const dbs = c.databases.map((d) => `${d.name} (${mb(d.bytes)})`).join(", ");
    process.stdout.write(
      `${c.name.padEnd(5)} ${c.up ? "up  " : "down"}  ${c.url}  data ${c.dir}${c.up ? `\n      databases: ${dbs || "none"}` : ""}\n`,
    );
  }
  return clusters.every((c) => c.up) ? 0 : 1;
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function integer(flag: string, raw: string, min: number, max: number): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max)
    throw usage(`${flag} must be an integer from ${min} to ${max}, not \`${raw}\``);
  return n;
}
