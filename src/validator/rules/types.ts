import type { Path } from "../../schema/source.js";
import type { Plan, Step } from "../../schema/types.generated.js";
import type { Registry } from "../../registry/registry.js";
import type { StepGraph } from "./graph.js";

export interface RuleProblem {
  rule: string;
  path: Path;
  message: string;
  /** Point at the map key rather than the value (unknown fields, duplicate ids). */
  key?: boolean;
}

export interface RuleContext {
  plan: Plan;
  registry: Registry;
  /** Steps by id (first occurrence wins when ids repeat). */
  steps: {
    get(id: string): { step: Step; index: number } | undefined;
    has(id: string): boolean;
    keys(): IterableIterator<string>;
  };
  /** The dependency graph over step indexes, built once per validation. */
  graph: StepGraph;
  /** One dependency cycle, found once per validation; undefined when the graph is a DAG. */
  cycle: string[] | undefined;
  /** Whether `step` (transitively) depends on `target`; false while the graph has a cycle. */
  dependsOn(step: string, target: string): boolean;
}

export type Rule = (context: RuleContext) => RuleProblem[];
