import { existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { dirname, resolve } from "node:path";
import { ManifestError } from "../../errors.js";
import type { Tool } from "../../schema/types.generated.js";
import type { Handler, Kind } from "../types.js";

/** In-process handlers: a TypeScript module exporting one function per tool. The sandbox is one. */
export const moduleKind: Kind = {
  async load(set, { file, lazy }) {
    if (set.implementation.kind !== "module") throw new Error("unreachable");
    const module = set.implementation.module;
    const path = runnable(resolve(dirname(file), module));
    if (lazy && !existsSync(path))
      throw new ManifestError(file, `cannot import handler module ${module}: no such file ${path}`);
    const load = () => resolveHandlers(set.tools, file, module, path);
    let handlers: Promise<Map<string, Handler>> | undefined = lazy ? undefined : Promise.resolve(await load());
    return {
      driver: {
        async call(tool, args, context) {
          return (await (handlers ??= load())).get(tool.name)!(args, context);
        },
      },
    };
  },
};

/** Imports the handler module and finds each tool's function: a ManifestError names what is missing. */
async function resolveHandlers(
  tools: readonly Tool[],
  file: string,
  module: string,
  path: string,
): Promise<Map<string, Handler>> {
  let mod: Record<string, unknown>;
  try {
    mod = await importHandlers(path);
  } catch (cause) {
    throw new ManifestError(file, `cannot import handler module ${module}: ${(cause as Error).message}`, { cause });
  }
  const handlers = new Map<string, Handler>();
  for (const tool of tools) {
    const exportName = tool.handler ?? tool.name.split(".").at(-1)!;
    const handler = mod[exportName];
    if (typeof handler !== "function") {
      throw new ManifestError(
        file,
        `tool ${tool.name}: ${module} exports no function \`${exportName}\`; export one or set \`handler:\``,
      );
    }
    handlers.set(tool.name, handler as Handler);
  }
  return handlers;
}

/** The installed package ships handlers compiled: `./db.ts` is then `./db.js` beside the manifest. */
function runnable(path: string): string {
  const twin = path.replace(/\.ts$/, ".js");
  return twin !== path && !existsSync(path) && existsSync(twin) ? twin : path;
}

/**
 * A TypeScript handler of the user's own, under the compiled `planfile`: tsx (a dependency) is
 * registered before the first import of one. Not after a failed import: Node keeps that failure
 * for the URL, so a second import of the same file fails the same way.
 */
let tsxRegistered = false;
const TYPESCRIPT = /\.[cm]?ts$/;
const COMPILED = !TYPESCRIPT.test(fileURLToPath(import.meta.url));

async function importHandlers(path: string): Promise<Record<string, unknown>> {
  if (COMPILED && TYPESCRIPT.test(path) && !tsxRegistered) {
    const { register } = await import("tsx/esm/api");
    register();
    tsxRegistered = true;
  }
  return import(pathToFileURL(path).href);
}
