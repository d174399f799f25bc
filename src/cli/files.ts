/** Files named on the command line: a missing one is a usage error (exit 2) in every command, with a did-you-mean. */
import { existsSync, readdirSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { usage } from "./args.js";
import { closest } from "./did-you-mean.js";

export function requireFiles(paths: readonly string[], what = "file"): void {
  for (const path of paths) {
    if (!existsSync(path)) throw usage(`no such ${what}: ${path}${nearby(path)}`);
    if (statSync(path).isDirectory())
      throw usage(`${path} is a folder; name the ${what}s in it (e.g. ${join(path, "*.yaml")})`);
  }
}

function nearby(path: string): string {
  try {
    const guess = closest(basename(path), readdirSync(dirname(path)));
    return guess ? `; did you mean ${join(dirname(path), guess)}?` : "";
  } catch {
    return "";
  }
}
