/**
 * planfile.config.json: read, checked against schemas/config.schema.json, and
 * refused with located problems (file:line:col, the setting's name, a
 * did-you-mean) when malformed, holding a key, or naming an unknown setting.
 */
import { existsSync, readFileSync } from "node:fs";
import { isAbsolute, relative } from "node:path";
import { closest } from "../cli/did-you-mean.js";
import { CONFIG_FILE } from "./file.js";
import { PlanfileError } from "../errors.js";
import { instancePath, sharedAjv, SCHEMA_DIR, type ErrorObject } from "../schema/ajv.js";
import { parseYamlSource, type Location, type Path } from "../schema/source.js";
import type { PlanfileConfig } from "../schema/types.generated.js";

export { CONFIG_FILE };

export interface ConfigProblem extends Location {
  /** The setting, as a dotted path (`llm.modle`); empty for the file as a whole. */
  key: string;
  message: string;
}

/** The config file is not usable; `problems` say where and why. Exit 2. */
export class ConfigError extends PlanfileError {
  constructor(
    readonly file: string,
    readonly problems: ConfigProblem[],
  ) {
    super(
      "CONFIG_INVALID",
      `${file} is not a valid planfile config:\n${problems.map((p) => `  ${p.file}:${p.line}:${p.col}  ${p.message}`).join("\n")}\nsettings: ${shown(`${SCHEMA_DIR}config.schema.json`)}`,
    );
    this.name = "ConfigError";
  }
}

// A credential under any of these names is refused whatever section it is in.
const SECRET_KEY =
  /^(api[-_]?key|.*[-_]api[-_]?key|key|token|.*[-_]token|secret|.*[-_]secret|password|.*[-_]password)$/i;
/** `scheme://user:password@host`: a URL that carries its password. */
const URL_PASSWORD = /^[a-z][a-z0-9+.-]*:\/\/[^/@:\s]*:[^/@\s]+@/i;
const SECRET_VALUE = /^(sk-[A-Za-z0-9_-]{16,}|Bearer\s+\S{16,})$/;

/** The settings in `file` (cwd-relative by default); `{}` when there is no such file. */
export function loadConfig(file: string = CONFIG_FILE): PlanfileConfig {
  if (!existsSync(file)) return {};
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (cause) {
    throw new ConfigError(file, [
      { file, line: 1, col: 1, key: "", message: `cannot read: ${(cause as Error).message}` },
    ]);
  }
  const data = parseJson(file, text);
  const problems = [...secrets(file, text, data), ...schemaProblems(file, text, data)];
  if (problems.length > 0)
    throw new ConfigError(
      file,
      problems.sort((a, b) => a.line - b.line || a.col - b.col),
    );
  return data as PlanfileConfig;
}

function parseJson(file: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    const message = (cause as Error).message;
    const at = /position (\d+)/.exec(message);
    const { line, col } = at ? lineCol(text, Number(at[1])) : { line: 1, col: 1 };
    throw new ConfigError(file, [{ file, line, col, key: "", message: `not valid JSON: ${message}` }]);
  }
}

/** Credentials, wherever they are: a config file is read by anyone who can read the repository. */
function secrets(file: string, text: string, data: unknown): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  const walk = (value: unknown, path: (string | number)[]) => {
    if (typeof value === "string" && SECRET_VALUE.test(value.trim()))
      out.push(problem(file, text, path, "looks like a key; keys do not belong in a config file: set OPENAI_API_KEY"));
    if (typeof value === "string" && URL_PASSWORD.test(value.trim()))
      out.push(
        problem(
          file,
          text,
          path,
          "holds a password; passwords do not belong in a config file: drop it from the URL and set PGPASSWORD (or use ~/.pgpass)",
        ),
      );
    if (typeof value !== "object" || value === null) return;
    for (const [k, v] of Object.entries(value)) {
      const child = [...path, Array.isArray(value) ? Number(k) : k];
      if (!Array.isArray(value) && SECRET_KEY.test(k))
        out.push(
          problem(
            file,
            text,
            child,
            "keys do not belong in a config file (anyone who can read the folder can read it); set OPENAI_API_KEY in the environment",
            true,
          ),
        );
      else walk(v, child);
    }
  };
  walk(data, []);
  return out;
}

function schemaProblems(file: string, text: string, data: unknown): ConfigProblem[] {
  const validate = (validator ??= sharedAjv().compile(
    JSON.parse(readFileSync(`${SCHEMA_DIR}config.schema.json`, "utf8")),
  ));
  if (validate(data)) return [];
  return (validate.errors ?? [])
    .filter((e) => !(e.keyword === "additionalProperties" && SECRET_KEY.test(String(e.params.additionalProperty))))
    .map((e) => describe(file, text, e));
}
let validator: ReturnType<ReturnType<typeof sharedAjv>["compile"]> | undefined;

function describe(file: string, text: string, e: ErrorObject): ConfigProblem {
  const path = instancePath(e);
  if (e.keyword === "additionalProperties") {
    const name = String(e.params.additionalProperty);
    const allowed = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
    const guess = closest(name, allowed);
    const where = path.length > 0 ? ` in ${path.join(".")}` : "";
    return problem(
      file,
      text,
      [...path, name],
      `unknown setting \`${[...path, name].join(".")}\`${guess ? `; did you mean \`${[...path, guess].join(".")}\`?` : ""} (allowed${where}: ${allowed.filter((a) => a !== "$schema").join(", ")})`,
      true,
    );
  }
  return problem(file, text, path, `\`${path.join(".") || "(top level)"}\` ${e.message}`);
}

function problem(file: string, text: string, path: Path, message: string, key = false): ConfigProblem {
  // JSON is YAML: the YAML parser knows where each key and value sits.
  const parsed = parseYamlSource(text, file);
  const where = parsed.ok ? parsed.source.locate(path, { key }) : { file, line: 1, col: 1 };
  return { file, line: where.line, col: where.col, key: path.join("."), message };
}

/** Relative to the current folder when inside it, so the message reads the same on every machine. */
function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith("..") || isAbsolute(rel) ? path : rel;
}

function lineCol(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, offset).split("\n");
  return { line: before.length, col: before.at(-1)!.length + 1 };
}
