import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { generateTypes, GENERATED_TYPES } from "../../src/schema/generate-types.js";

describe("types come from the schemas", () => {
  it("src/schema/types.generated.ts matches schemas/*.schema.json (run `npm run gen:types` after a schema change)", async () => {
    expect(readFileSync(GENERATED_TYPES, "utf8")).toBe(await generateTypes());
  });
});
