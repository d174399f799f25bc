/**
 * `exec` tools: each tool runs a program from an argv template (see argv.ts),
 * never through a shell.
 *
 * Output is `{exitCode, stdout, stderr}`, plus `json` (stdout parsed as JSON)
 * when the tool's output schema declares a `json` property. A non-zero exit is
 * a tool error (`EXIT_NONZERO`) unless the output schema's `exitCode` property
 * lists the codes that count as success (`enum: [0, 1]` or `const: 1`), the
 * way `grep` or `diff` answer "no match" with 1.
 *
 * The process does not inherit planfile's environment: it gets PATH, the
 * variables the implementation lists in `passEnv`, the manifest's `env`
 * templates (the way to hand it a secret; argv never holds one), and
 * PLANFILE_IDEMPOTENCY_KEY and, in a dry run, PLANFILE_DRY_RUN=1 (a manifest
 * says `dryRun: true` only for commands that honour it). `stdin` is written
 * to its standard input. A program named `./x` or `../x` is found relative
 * to the manifest; the working directory is the caller's.
 */
import { dirname, resolve } from "node:path";
import { ToolError } from "../../tool-error.js";
import type { Driver, JsonSchemaObject, Kind, ToolDefinition } from "../../types.js";
import { buildArgv, checkCommand } from "./argv.js";
import { checkTemplate, redact, renderText } from "../template.js";
import { run, type SpawnResult } from "./spawn.js";

export interface ExecOutput {
  exitCode: number;
  stdout: string;
  stderr: string;
  json?: unknown;
}

export const execKind: Kind = {
  async load(set, { file }) {
    if (set.implementation.kind !== "exec") throw new Error("unreachable");
    const implementation = set.implementation;
    const commands = new Map<string, string[]>();
    for (const tool of set.tools) {
      const command = [...checkCommand(file, tool.name, tool.command)];
      if (/^\.\.?\//.test(command[0]!)) command[0] = resolve(dirname(file), command[0]!);
      commands.set(tool.name, command);
      checkTemplate(file, tool.name, "env", { ...implementation.env, ...tool.env });
      checkTemplate(file, tool.name, "stdin", tool.stdin ?? "");
    }
    const running = new Set<() => void>();
    const driver: Driver = {
      async call(tool, args, context) {
        const manifest = tool.manifest;
        const argv = buildArgv(commands.get(tool.name)!, args, context.secrets, manifest.optionArgs);
        const env = childEnv(implementation.passEnv ?? [], { ...implementation.env, ...manifest.env }, args, context);
        const result = await run(argv, {
          env,
          stdin: manifest.stdin === undefined ? undefined : renderText(manifest.stdin, args, context.secrets),
          signal: context.signal,
          track: (kill) => {
            running.add(kill);
            return () => running.delete(kill);
          },
        });
        return toOutput(tool, result, context.secrets);
      },
      async close() {
        for (const kill of running) kill();
      },
    };
    return { driver };
  },
};

/** An explicit environment: nothing of planfile's own (cloud credentials, tokens) reaches a child by accident. */
function childEnv(
  passEnv: readonly string[],
  templates: Record<string, string>,
  args: unknown,
  context: { secrets: Readonly<Record<string, string>>; idempotencyKey?: string; dryRun: boolean },
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const name of ["PATH", ...passEnv]) if (process.env[name] !== undefined) env[name] = process.env[name];
  for (const [name, template] of Object.entries(templates)) env[name] = renderText(template, args, context.secrets);
  env.PLANFILE_IDEMPOTENCY_KEY = context.idempotencyKey ?? "";
  if (context.dryRun) env.PLANFILE_DRY_RUN = "1";
  return env;
}

function toOutput(tool: ToolDefinition, result: SpawnResult, secrets: Readonly<Record<string, string>>): ExecOutput {
  const properties = schemaProperties(tool.outputSchema);
  if (!successCodes(properties.exitCode).includes(result.exitCode)) {
    const how = result.signal ? `was killed by ${result.signal}` : `exited with code ${result.exitCode}`;
    const tail = redact(result.stderr.trim().slice(-500), secrets);
    // The argv may hold secrets, so the message names the program only.
    throw new ToolError("EXIT_NONZERO", `\`${tool.manifest.command![0]}\` ${how}${tail ? `: ${tail}` : ""}`);
  }
  const output: ExecOutput = { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr };
  if ("json" in properties) {
    try {
      output.json = JSON.parse(result.stdout);
    } catch (cause) {
      throw new ToolError(
        "STDOUT_NOT_JSON",
        `the output schema declares \`json\` but stdout is not JSON (${(cause as Error).message}); starts with: ${redact(result.stdout.slice(0, 120), secrets)}`,
        { cause },
      );
    }
  }
  return output;
}

function schemaProperties(schema: JsonSchemaObject): Record<string, unknown> {
  if (typeof schema !== "object" || typeof schema.properties !== "object" || schema.properties === null) return {};
  return schema.properties as Record<string, unknown>;
}

function successCodes(exitCodeSchema: unknown): number[] {
  if (!exitCodeSchema || typeof exitCodeSchema !== "object") return [0];
  const { enum: oneOf, const: only } = exitCodeSchema as { enum?: unknown; const?: unknown };
  if (Array.isArray(oneOf)) return oneOf.filter((c): c is number => Number.isInteger(c));
  if (Number.isInteger(only)) return [only as number];
  return [0];
}
