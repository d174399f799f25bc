import { existsSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { dirname, resolve } from "node:path";
import { ManifestError } from "../../errors.js";
import type { Handler, Kind } from "../types.js";

/** In-process handlers: a TypeScript module exporting one function per tool. The sandbox is one. */
export const moduleKind: Kind = {
  async load(set, { file }) {
    if (set.implementation.kind !== "module") throw new Error("unreachable");
    const path = runnable(resolve(dirname(file), set.implementation.module));
    let mod: Record<string, unknown>;
    try {
      mod = await importHandlers(path);
    } catch (cause) {
      throw new ManifestError(
        file,
        `cannot import handler module ${set.implementation.module}: ${(cause as Error).message}`,
        { cause },
      );
    }
    const handlers = new Map<string, Handler>();
    for (const tool of set.tools) {
      const exportName = tool.handler ?? tool.name.split(".").at(-1)!;
      const handler = mod[exportName];
      if (typeof handler !== "function") {
        throw new ManifestError(
          file,
          `tool ${tool.name}: ${set.implementation.module} exports no function \`${exportName}\`; export one or set \`handler:\``,
        );
      }
      handlers.set(tool.name, handler as Handler);
    }
    return {
      driver: {
        async call(tool, args, context) {
          return handlers.get(tool.name)!(args, context);
        },
      },
    };
  },
};

/** The installed package ships handlers compiled: `./db.ts` is then `./db.js` beside the manifest. */
function runnable(path: string): string {
  const twin = path.replace(/\.ts$/, ".js");
  return twin !== path && !existsSync(path) && existsSync(twin) ? twin : path;
}

/** A TypeScript handler of the user's own, under the compiled `planfile`: load tsx (a dependency) for it. */
async function importHandlers(path: string): Promise<Record<string, unknown>> {
  try {
    return await import(pathToFileURL(path).href);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ERR_UNKNOWN_FILE_EXTENSION") throw error;
    const { register } = await import("tsx/esm/api");
    register();
    return import(pathToFileURL(path).href);
  }
}
