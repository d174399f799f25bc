/* Generated from schemas/*.schema.json by src/schema/generate-types.ts. Do not edit. */
/**
 * A step or context id: lowercase letters, digits, '-' and '_', starting with a letter.
 *
 * This interface was referenced by `Plan`'s JSON-Schema
 * via the `definition` "Id".
 */
export type Id = string;
/**
 * A namespaced tool name such as sandbox.db.dump.
 *
 * This interface was referenced by `Plan`'s JSON-Schema
 * via the `definition` "ToolName".
 */
export type ToolName = string;

/**
 * A planfile plan: an ordered graph of tool calls, each with an expected outcome and a rollback, reviewed like code before it runs.
 */
export interface Plan {
  apiVersion: "planfile/v1";
  kind: "Plan";
  metadata: Metadata;
  /**
   * State read by read-only tools before planning; the runner re-reads it to detect a stale plan.
   */
  context?: ContextEntry[];
  /**
   * True when any step needs a human's approval before the run starts.
   */
  requiresConfirmation: boolean;
  /**
   * Ids of the steps a human must confirm. Ids, never free text.
   */
  riskySteps: Id[];
  /**
   * @minItems 1
   */
  steps: [Step, ...Step[]];
}
/**
 * This interface was referenced by `Plan`'s JSON-Schema
 * via the `definition` "Metadata".
 */
export interface Metadata {
  name: string;
  goal: string;
  description?: string;
  createdAt?: string;
  planner?: PlannerInfo;
}
/**
 * This interface was referenced by `Plan`'s JSON-Schema
 * via the `definition` "PlannerInfo".
 */
export interface PlannerInfo {
  /**
   * offline, llm, or hand for a hand-written plan.
   */
  name: string;
  model?: string;
  /**
   * Template name and version, e.g. decompose@1.
   */
  prompt?: string;
  attempts?: number;
  /**
   * Every prompt template and partial the model was shown, name@version, e.g. partials/tool-catalogue@2.
   */
  templates?: string[];
  /**
   * How the answer's shape was enforced: a JSON schema, JSON mode, or only the prompt.
   */
  responseFormat?: "json_schema" | "json_object" | "text";
  /**
   * How many tools the model was shown (it sees only those relevant to the goal).
   */
  toolsOffered?: number;
  usage?: {
    promptTokens?: number;
    completionTokens?: number;
    totalTokens?: number;
  };
}
/**
 * This interface was referenced by `Plan`'s JSON-Schema
 * via the `definition` "ContextEntry".
 */
export interface ContextEntry {
  id: Id;
  tool: ToolName;
  args: Args;
  /**
   * What the read-only tool returned when the plan was made.
   */
  output: {
    [k: string]: unknown;
  };
}
/**
 * Arguments of a tool call. Strings may hold ${{ steps.<id>.outputs.<path> }}, ${{ context.<id>.<path> }} or ${{ secrets.<NAME> }} references.
 *
 * This interface was referenced by `Plan`'s JSON-Schema
 * via the `definition` "Args".
 */
export interface Args {
  [k: string]: unknown;
}
/**
 * This interface was referenced by `Plan`'s JSON-Schema
 * via the `definition` "Step".
 */
export interface Step {
  id: Id;
  description?: string;
  tool: ToolName;
  args: Args;
  /**
   * Steps this one waits for, each named once, by id (the validator reports a repeated or unknown one).
   *
   * Items: The id of another step of this plan. Not checked against the id pattern here: it must equal a step's id, which the validator checks (unknown-dependency) with a suggestion, and the pattern cost a regular expression per edge, a third of the schema check of a 100,000-edge plan.
   */
  dependsOn?: string[];
  expectedOutcome: string;
  /**
   * A CEL expression over `outputs` (and `args`) that must be true after the step.
   */
  expect?: string;
  /**
   * A tool call that undoes this step (its tool's compensation unless overridden), {none: why nothing needs undoing}, or {irreversible: what cannot be undone}.
   */
  rollback?: RollbackCall | NoRollback | Irreversible;
  timeoutMs?: number;
  retries?: number;
}
/**
 * A tool call that undoes the step. It must be the step's tool's declared compensation rendered for this step, unless `override` says why not.
 *
 * This interface was referenced by `Plan`'s JSON-Schema
 * via the `definition` "RollbackCall".
 */
export interface RollbackCall {
  tool: ToolName;
  args: Args;
  /**
   * Why this rollback differs from the tool's declared compensation; shown to reviewers as a warning.
   */
  override?: string;
}
/**
 * This interface was referenced by `Plan`'s JSON-Schema
 * via the `definition` "NoRollback".
 */
export interface NoRollback {
  /**
   * Why this step leaves nothing to undo (on a destructive tool's step, `none` means the same as `irreversible`).
   */
  none: string;
}
/**
 * This interface was referenced by `Plan`'s JSON-Schema
 * via the `definition` "Irreversible".
 */
export interface Irreversible {
  /**
   * What this step changes that nothing can undo. The step is risky, and a rollback that passes it ends as partially rolled back.
   */
  irreversible: string;
}
/**
 * This interface was referenced by `Plan`'s JSON-Schema
 * via the `definition` "ToolCall".
 */
export interface ToolCall {
  tool: ToolName;
  args: Args;
}

/**
 * This interface was referenced by `ToolSet`'s JSON-Schema
 * via the `definition` "Implementation".
 */
export type Implementation =
  | {
      kind: "module";
      /**
       * At most this many calls to this tool set at once in a run. Default: no limit (in-process tools wait on I/O).
       */
      concurrency?: number;
      /**
       * Path, relative to this file, of a module exporting one handler per tool.
       */
      module: string;
    }
  | {
      kind: "exec";
      /**
       * At most this many of this tool set's processes at once in a run. Default: one per core.
       */
      concurrency?: number;
      /**
       * Names of variables the child inherits from planfile's environment. Nothing else is inherited except PATH: no cloud credentials by accident.
       */
      passEnv?: string[];
      env?: ExecEnv;
    }
  | {
      kind: "http";
      /**
       * At most this many requests at once to this service's host in a run; tool sets on the same host share the lowest limit. Default: 16 per host.
       */
      concurrency?: number;
      baseUrl?: string;
      headers?: {
        [k: string]: string;
      };
    }
  | {
      kind: "mcp";
      /**
       * At most this many calls at once to this server in a run. Default: 4.
       */
      concurrency?: number;
      command: string;
      args?: string[];
      env?: {
        [k: string]: string;
      };
      cwd?: string;
    };
/**
 * A JSON Schema (2020-12).
 *
 * This interface was referenced by `ToolSet`'s JSON-Schema
 * via the `definition` "JsonSchema".
 */
export type JsonSchema = {} | boolean;

/**
 * A file of tool declarations under tools/: one implementation (module, exec, http or mcp) and the tools it serves.
 */
export interface ToolSet {
  apiVersion: "planfile/v1";
  kind: "ToolSet";
  /**
   * Namespace every tool name in this set starts with.
   */
  name: string;
  description?: string;
  implementation: Implementation;
  /**
   * Every effect of these tools lives under the registry's state folder (a simulator such as the sandbox), so a dry run can execute them for real on a throwaway copy of that folder.
   */
  localState?: boolean;
  /**
   * @minItems 1
   */
  tools: [Tool, ...Tool[]];
}
/**
 * exec kind: variables set for the child; values may hold ${{ args.<path> }} and ${{ secrets.NAME }} (the way to hand a child a secret).
 *
 * This interface was referenced by `ToolSet`'s JSON-Schema
 * via the `definition` "ExecEnv".
 */
export interface ExecEnv {
  [k: string]: string;
}
/**
 * This interface was referenced by `ToolSet`'s JSON-Schema
 * via the `definition` "Tool".
 */
export interface Tool {
  name: string;
  description: string;
  effect: "read" | "write" | "destructive";
  idempotent: boolean;
  risk?: Risk;
  /**
   * A read tool the planner may call to gather context before planning.
   */
  probe?: boolean;
  /**
   * The tool honours a dry-run flag and then changes nothing.
   */
  dryRun?: boolean;
  timeoutMs?: number;
  /**
   * At most this many calls of this tool at once in a run (a rate-limited endpoint, a lock-heavy command). Default: only its implementation's limit.
   */
  concurrency?: number;
  input?: JsonSchema;
  output?: JsonSchema;
  compensation?: Compensation;
  /**
   * module kind: name of the exported handler (defaults to the last segment of the tool name).
   */
  handler?: string;
  /**
   * exec kind: argv template; each element may hold ${{ args.<path> }} (never ${{ secrets.X }}: argv is visible to every user of the machine; use env or stdin). Never run through a shell.
   *
   * @minItems 1
   */
  command?: [string, ...string[]];
  env?: ExecEnv;
  /**
   * exec kind: text written to the child's standard input; may hold ${{ args.<path> }} and ${{ secrets.NAME }}.
   */
  stdin?: string;
  /**
   * exec kind: args whose values may start with '-' where the command places them before a literal `--` (e.g. a negative number the program expects). Any other value starting with '-' before `--` is refused, so a plan cannot inject an option such as --output=/tmp/x.
   */
  optionArgs?: string[];
  /**
   * http kind: request template.
   */
  request?: {
    method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD";
    url: string;
    headers?: {
      [k: string]: string;
    };
    body?: unknown;
  };
  /**
   * mcp kind: the tool's name on the server (defaults to the last segment).
   */
  mcpTool?: string;
  /**
   * Sample calls: shown to planners in the tool catalogue and exercised by conformance tests.
   */
  examples?: {
    args: {
      [k: string]: unknown;
    };
    /**
     * Sandbox fixture in which these args succeed.
     */
    fixture?: string;
    description?: string;
  }[];
  /**
   * A read-only call that tells whether this tool's effect took place, used to reconcile a call whose outcome is unknown after a crash. args may hold ${{ args.<path> }}; expect is a CEL expression over `outputs` and `args` that is true when the effect happened.
   */
  verify?: {
    tool: string;
    args: {
      [k: string]: unknown;
    };
    expect: string;
  };
}
/**
 * The default risk of a step that calls this tool. A risky step needs a human's approval before a run starts; an operator policy (planfile.policy.yaml) can raise risk further, never lower it. Without it, destructive tools are risky and others are not.
 *
 * This interface was referenced by `ToolSet`'s JSON-Schema
 * via the `definition` "Risk".
 */
export interface Risk {
  /**
   * A step calling this tool is risky. A destructive tool's steps are risky whatever this says.
   */
  risky: boolean;
  /**
   * Why, in a phrase a reviewer reads next to the step, e.g. 'repoints a live name; clients follow within the TTL'.
   */
  reason: string;
}
/**
 * The default undo of a tool, as a call whose args may hold ${{ args.<path> }} and ${{ outputs.<path> }}.
 *
 * This interface was referenced by `ToolSet`'s JSON-Schema
 * via the `definition` "Compensation".
 */
export interface Compensation {
  tool: string;
  args: {
    [k: string]: unknown;
  };
}

/**
 * planfile.config.json in the folder a command runs from: settings shared by every command. Never a key, token or password: those live in the environment (OPENAI_API_KEY). An unknown setting is an error, so a typo is never silently ignored.
 */
export interface PlanfileConfig {
  /**
   * Where an editor finds this schema (ignored by planfile).
   */
  $schema?: string;
  llm?: LlmSettings;
  postgres?: PostgresSettings;
  store?: StoreSettings;
}
/**
 * The OpenAI-compatible endpoint the planner asks. The environment wins: OPENAI_BASE_URL, PLANFILE_MODEL, PLANFILE_LLM_TIMEOUT_MS.
 *
 * This interface was referenced by `PlanfileConfig`'s JSON-Schema
 * via the `definition` "LlmSettings".
 */
export interface LlmSettings {
  /**
   * Endpoint ending in /v1, e.g. http://127.0.0.1:11434/v1 for Ollama.
   */
  baseURL?: string;
  /**
   * Model name (default gpt-4o-mini).
   */
  model?: string;
  /**
   * Per HTTP request, in milliseconds (default 60000).
   */
  timeoutMs?: number;
  /**
   * Further tries after a 408/409/429/5xx, a connection error or a timeout (default 3).
   */
  retries?: number;
}
/**
 * Where the postgres tool pack's clusters are. Plans name clusters (`cluster: west`); this maps names to servers. A name not defined here falls back to the lab of the state folder (tsx src/lab.ts up).
 *
 * This interface was referenced by `PlanfileConfig`'s JSON-Schema
 * via the `definition` "PostgresSettings".
 */
export interface PostgresSettings {
  /**
   * Named connections, e.g. {"west": {"host": "db-west.internal", "passwordEnv": "PG_WEST_PASSWORD"}}.
   */
  connections?: {
    [k: string]: PostgresConnection;
  };
  catalog?: PostgresCatalog;
}
/**
 * One cluster. Never a password: passwordEnv names the environment variable that holds it.
 *
 * This interface was referenced by `PlanfileConfig`'s JSON-Schema
 * via the `definition` "PostgresConnection".
 */
export interface PostgresConnection {
  /**
   * Default 127.0.0.1.
   */
  host?: string;
  /**
   * Default 5432.
   */
  port?: number;
  /**
   * Default postgres.
   */
  user?: string;
  /**
   * Name of the environment variable holding the password, read at call time.
   */
  passwordEnv?: string;
}
/**
 * The service catalog clients resolve databases through (a `services` table): the migration's cut-over point.
 */
export interface PostgresCatalog {
  /**
   * A connection name.
   */
  cluster: string;
  /**
   * Default catalog.
   */
  database?: string;
}
/**
 * Where runs live (journals, owner locks, approvals, the queue). Without a url, the files under the state folder (one machine). PLANFILE_STORE_URL overrides it.
 *
 * This interface was referenced by `PlanfileConfig`'s JSON-Schema
 * via the `definition` "StoreSettings".
 */
export interface StoreSettings {
  /**
   * A PostgreSQL URL, e.g. postgres://planfile@db.internal:5432/planfile. Never a password: the server's password comes from PGPASSWORD (or ~/.pgpass).
   */
  url?: string;
  /**
   * The PostgreSQL schema holding the store's tables; default planfile.
   */
  schema?: string;
}

/**
 * An operator's risk policy (planfile.policy.yaml): rules that make steps risky, or refuse them, whoever wrote the plan. A rule can only add risk to what the tool manifests declare.
 */
export interface Policy {
  apiVersion: "planfile/v1";
  kind: "Policy";
  /**
   * Named values the rules read as `vars.<name>`, e.g. a list of production databases.
   */
  vars?: {
    [k: string]: unknown;
  };
  rules: PolicyRule[];
}
/**
 * This interface was referenced by `Policy`'s JSON-Schema
 * via the `definition` "PolicyRule".
 */
export interface PolicyRule {
  /**
   * Named in every validation problem the rule raises.
   */
  name: string;
  /**
   * A CEL expression over one call the runner may make: `tool` (name), `effect` (read, write, destructive), `args` (context references resolved; step outputs stay as their ${{ }} text), `role` (step or rollback), `step` (the step's id), `stepTool` (the step's tool), `compensation` (true when the call is the step's tool's own declared compensation) and `vars`. True means the rule applies. An expression that cannot be evaluated for a call counts as applying.
   */
  when: string;
  /**
   * Why, shown next to the step to the plan's author and reviewer.
   */
  reason: string;
  /**
   * risky (default): the step must be in riskySteps, so a human approves it. refuse: no plan may contain such a call.
   */
  action?: "risky" | "refuse";
}
