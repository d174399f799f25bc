import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { findReferences, holdsReference, parseReference, substitute } from "../../src/references/index.js";

describe("${{ }} references", () => {
  it("parses the three plan roots", () => {
    expect(parseReference("steps.dump.outputs.files[0].path")).toEqual({
      ok: true,
      ref: { root: "steps", step: "dump", path: ["files", 0, "path"], text: "steps.dump.outputs.files[0].path" },
    });
    expect(parseReference("context.source.region")).toMatchObject({
      ok: true,
      ref: { root: "context", id: "source", path: ["region"] },
    });
    expect(parseReference("secrets.DB_PASSWORD")).toMatchObject({
      ok: true,
      ref: { root: "secrets", name: "DB_PASSWORD" },
    });
  });

  it("explains malformed references", () => {
    expect(parseReference("steps.dump.path")).toMatchObject({
      ok: false,
      message: expect.stringMatching(/steps\.<id>\.outputs\.<field>/),
    });
    expect(parseReference("env.HOME")).toMatchObject({
      ok: false,
      message: expect.stringMatching(/unknown reference root `env`/),
    });
    expect(parseReference("steps.a b")).toMatchObject({ ok: false });
  });

  it("finds references with their paths, marking whole-value ones", () => {
    const sites = findReferences({
      a: "${{ steps.x.outputs.n }}",
      b: ["s3://${{ context.c.bucket }}/${{ steps.x.outputs.key }}"],
      c: 3,
    });
    expect(sites.map((s) => ({ path: s.path, whole: s.whole, n: s.refs.length }))).toEqual([
      { path: ["a"], whole: true, n: 1 },
      { path: ["b", 0], whole: false, n: 2 },
    ]);
  });

  it("keeps the type of a whole-value reference and interpolates inside text", () => {
    const values: Record<string, unknown> = {
      "steps.x.outputs.n": 42,
      "context.c.bucket": "b1",
      "steps.x.outputs.key": "k",
    };
    const resolved = substitute(
      {
        a: "${{ steps.x.outputs.n }}",
        b: "s3://${{ context.c.bucket }}/${{ steps.x.outputs.key }}",
        c: "n=${{ steps.x.outputs.n }}",
      },
      (ref) => values[ref.text],
    );
    expect(resolved).toEqual({ a: 42, b: "s3://b1/k", c: "n=42" });
  });
});

describe("holdsReference", () => {
  it("is true exactly when findReferences finds something, for any JSON value and with references anywhere", () => {
    const leaf = fc.oneof(fc.jsonValue(), fc.constantFrom("${{ steps.a.outputs.x }}", "a ${{ context.b.c }} b"));
    const value = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: "small" }, leaf, fc.array(tie("node")), fc.dictionary(fc.string(), tie("node"))),
    })).node;
    fc.assert(
      fc.property(value, (v) => {
        expect(holdsReference(v)).toBe(findReferences(v).length > 0);
      }),
      { numRuns: 500, seed: 16 },
    );
  });

  it("walks a hostile depth without recursion", () => {
    let deep: unknown = "${{ steps.a.outputs.x }}";
    for (let i = 0; i < 100_000; i++) deep = i % 2 ? [deep] : { k: deep };
    expect(holdsReference(deep)).toBe(true);
  });
});
