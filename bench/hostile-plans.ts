// Plans shaped to make a validator quadratic (issue 14): used by the benchmark and by test/validator/linear.test.ts.
import type { Plan } from "../src/schema/types.generated.js";

function plan(steps: Plan["steps"][number][]): Plan {
  return {
    apiVersion: "planfile/v1",
    kind: "Plan",
    metadata: { name: "hostile", goal: "A plan shaped to make validation slow" },
    requiresConfirmation: false,
    riskySteps: [],
    steps: steps as Plan["steps"],
  };
}

/** n demo.db.describe steps in a chain, every one reading the first step's output. */
export function chainReadingFirst(n: number): Plan {
  return plan(
    Array.from({ length: n }, (_, i) => ({
      id: `s${i}`,
      tool: "demo.db.describe",
      dependsOn: i > 0 ? [`s${i - 1}`] : [],
      args: { name: i > 0 ? "${{ steps.s0.outputs.name }}" : "orders" },
      expectedOutcome: "read",
      rollback: { none: "a read" },
    })),
  );
}

/** n steps, each depending on a step that does not exist (`ghost-<i>`, or an invalid id when `badIds`). */
export function unknownDependencies(n: number, badIds = false): Plan {
  return plan(
    Array.from({ length: n }, (_, i) => ({
      id: `step-${i}`,
      tool: "demo.db.describe",
      dependsOn: [badIds ? `Ghost ${i}` : `ghost-${i}`],
      args: { name: "orders" },
      expectedOutcome: "read",
      rollback: { none: "a read" },
    })),
  );
}
