#!/usr/bin/env -S npx tsx
// Thin CLI over the sandbox world library (tools/sandbox/world): reset, show, list fixtures.
import { existsSync } from "node:fs";
import { didYouMean } from "./cli/did-you-mean.js";
import { checkConfig, parseCli, runMain, say, usage } from "./cli/main.js";

const HELP = `
Usage: tsx src/sandbox.ts <command> [options]

Commands:
  reset      Replace the sandbox world with a fresh copy of a fixture.
  show       Print a summary of the current world (--json: the raw world file).
  fixtures   List the fixtures that come with planfile.

Options:
  --fixture NAME|FILE  reset: a fixture's name, or the path of a YAML fixture of
                       your own (it may \`extends: default\`); default: default
  --chaos-seed N       reset: fail calls transiently, deterministically from seed N
  --chaos-rate R       reset: probability of a transient failure per call (default 0.1 with --chaos-seed)
  --state-dir DIR      where the world lives (default: .planfile)
  --json               show: print the raw world
`;

const COMMANDS = ["reset", "show", "fixtures"];

runMain(async () => {
  const { values, positionals } = parseCli(
    {
      options: {
        fixture: { type: "string" },
        "state-dir": { type: "string" },
        "chaos-seed": { type: "string" },
        "chaos-rate": { type: "string" },
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    },
    HELP,
  );
  await checkConfig();
  const stateDir = values["state-dir"] ?? ".planfile";
  const [command, ...extra] = positionals;
  if (extra.length > 0) throw usage(`unexpected arguments: ${extra.join(" ")}\n${HELP}`);
  if (command === undefined) throw usage(`no command given\n${HELP}`);
  if (!COMMANDS.includes(command))
    throw usage(`unknown command \`${command}\`${didYouMean(command, COMMANDS)}; expected reset, show or fixtures`);
  const { listFixtures, readWorld, resetWorld, summarizeWorld, worldPath } = await import(
    "../tools/sandbox/world/index.js"
  );
  switch (command) {
    case "reset": {
      const world = resetWorld(stateDir, values.fixture, {
        chaos: chaosOption(values["chaos-seed"], values["chaos-rate"]),
      });
      say(`sandbox world reset from fixture ${world.fixture} at ${worldPath(stateDir)}`);
      return;
    }
    case "show": {
      // Reading a world creates one from the default fixture; `show` must not, or a mistyped --state-dir looks fine.
      if (!existsSync(worldPath(stateDir)))
        throw usage(
          `no sandbox world at ${worldPath(stateDir)}${values["state-dir"] === undefined ? "" : " (check --state-dir)"}; create one with \`planfile sandbox reset\``,
        );
      const world = readWorld(stateDir);
      process.stdout.write(values.json ? `${JSON.stringify(world, null, 2)}\n` : summarizeWorld(world));
      return;
    }
    case "fixtures":
      process.stdout.write(`${listFixtures().join("\n")}\n`);
      return;
  }
});

function chaosOption(seed: string | undefined, rate: string | undefined) {
  if (seed === undefined && rate === undefined) return undefined;
  const s = Number(seed ?? "1");
  const r = Number(rate ?? "0.1");
  if (!Number.isInteger(s)) throw usage(`--chaos-seed must be an integer, not \`${seed}\``);
  if (!(r >= 0 && r <= 1)) throw usage(`--chaos-rate must be a number between 0 and 1, not \`${rate}\``);
  return { seed: s, transientRate: r };
}
