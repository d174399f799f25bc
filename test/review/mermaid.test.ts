import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mermaidGraph, nodeId } from "../../src/review/mermaid.js";
import { planView } from "../../src/review/model.js";
import type { Plan } from "../../src/schema/types.generated.js";
import { checkMermaidSubset } from "./mermaid-checker.js";

function plan(ids: string[], extra: Partial<Plan["steps"][number]> = {}): Plan {
  return {
    apiVersion: "planfile/v1",
    kind: "Plan",
    metadata: { name: "p", goal: "g" },
    requiresConfirmation: true,
    riskySteps: ids.slice(0, 1),
    steps: ids.map((id, i) => ({
      id,
      tool: "demo.x.y",
      args: {},
      expectedOutcome: "ok",
      ...(i > 0 ? { dependsOn: [ids[i - 1]!] } : {}),
      ...extra,
    })) as Plan["steps"],
  };
}

describe("mermaid graph", () => {
  it("emits valid subset syntax for ids that are keywords or hold - and _", () => {
    const graph = mermaidGraph(planView(plan(["end", "a-b", "a_b", "graph", "class", "subgraph", "x--y", "default"])));
    expect(checkMermaidSubset(graph)).toEqual([]);
    expect(graph).toContain("  s_end[");
    expect(graph).toContain("  s_a_2d_b --> s_a__b");
  });

  it("escapes quotes, brackets, #, < and > in labels", () => {
    const view = planView(plan(["dump"], { rollback: { none: 'never "ever" <b>[x] #1 {y} (z) | ;' } }));
    view.steps[0]!.tool = 'evil"]; click s_dump call alert() <script>#';
    const graph = mermaidGraph(view);
    expect(checkMermaidSubset(graph)).toEqual([]);
    expect(graph).toContain("evil#quot;#93;#59; click s_dump call alert#40;#41; #lt;script#gt;#35;");
  });

  it("marks risky steps and steps without a rollback with classes", () => {
    const graph = mermaidGraph(planView(plan(["a", "b"], { rollback: { none: "nothing to undo" } })));
    expect(graph).toContain("  class s_a risky");
    expect(graph).toContain("  class s_a,s_b noRollback");
    expect(graph).toContain("↩ none");
  });

  it("node ids are valid and distinct for any distinct step ids (even ones the schema forbids)", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string({ minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 6 }), (ids) => {
        const nodes = ids.map(nodeId);
        expect(new Set(nodes).size).toBe(ids.length);
        for (const n of nodes) expect(n).toMatch(/^s_[a-z0-9_]+$/);
        expect(checkMermaidSubset(mermaidGraph(planView(plan(ids))))).toEqual([]);
      }),
      { numRuns: 200, seed: 20261125 },
    );
  });

  it("the checker rejects what it must (so a pass means something)", () => {
    expect(checkMermaidSubset('flowchart TD\n  end["x"]')).toEqual(["line 2: node id end is a Mermaid keyword"]);
    expect(checkMermaidSubset('flowchart TD\n  a-b["x"]')[0]).toMatch(/bad node id/);
    expect(checkMermaidSubset('flowchart TD\n  a["say "hi""]')[0]).toMatch(/unescaped/);
    expect(checkMermaidSubset('flowchart TD\n  a["x"]\n  a --> b')[0]).toMatch(/undeclared node b/);
    expect(checkMermaidSubset('flowchart TD\n  a["#1"]')[0]).toMatch(/unescaped/);
  });
});
