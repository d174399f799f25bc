// Where dumps live and what their records say: `<state>/postgres/dumps/<file>` beside `<file>.json`.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ToolError } from "../../src/registry/tool-error.js";

export const FILE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,120}\.dump$/;

export const dumpDir = (stateDir: string) => join(stateDir, "postgres", "dumps");

export interface DumpRecord {
  file: string;
  cluster: string;
  database: string;
  key: string;
  dumpedAt: string;
  consistent: boolean;
  tables: Record<string, number>;
  totalRows: number;
}

export function dumpPath(stateDir: string, file: string): string {
  if (!FILE_PATTERN.test(file))
    throw new ToolError(
      "INVALID_NAME",
      `dump file \`${file}\` is not allowed; use a plain name ending in .dump (letters, digits, . _ -)`,
    );
  return join(dumpDir(stateDir), file);
}

export function readRecord(path: string): DumpRecord | undefined {
  return existsSync(`${path}.json`) ? (JSON.parse(readFileSync(`${path}.json`, "utf8")) as DumpRecord) : undefined;
}
