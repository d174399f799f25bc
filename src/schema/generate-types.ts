// Generates src/schema/types.generated.ts from schemas/*.schema.json.
// Run `npm run gen:types` after editing a schema; test/schema/types.test.ts fails on drift.
import { readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { compile } from "json-schema-to-typescript";

const root = fileURLToPath(new URL("../../", import.meta.url));
export const GENERATED_TYPES = `${root}src/schema/types.generated.ts`;

export async function generateTypes(): Promise<string> {
  const banner = "/* Generated from schemas/*.schema.json by src/schema/generate-types.ts. Do not edit. */";
  const parts = [banner];
  for (const name of ["plan", "tool", "config", "policy"]) {
    const schema = JSON.parse(await readFile(`${root}schemas/${name}.schema.json`, "utf8"));
    parts.push(
      await compile(schema, schema.title, {
        bannerComment: "",
        additionalProperties: false,
        unreachableDefinitions: true,
        format: true,
        style: { singleQuote: false },
      }),
    );
  }
  return parts.join("\n");
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await writeFile(GENERATED_TYPES, await generateTypes());
  console.error(`wrote ${GENERATED_TYPES}`);
}
