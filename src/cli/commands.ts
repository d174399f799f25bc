/**
 * The `planfile` commands: one line each. `load` imports the command's entry
 * file, which runs it; nothing else is loaded, so each command pays only for
 * what it uses.
 */
export interface Command {
  summary: string;
  load: () => Promise<unknown>;
}

export const COMMANDS: Record<string, Command> = {
  plan: { summary: "turn a goal into a plan file", load: () => import("../plan.js") },
  validate: { summary: "check plan files (file:line:col problems)", load: () => import("../validate.js") },
  show: { summary: "render a plan for review (text, Markdown, JSON)", load: () => import("../show.js") },
  diff: { summary: "semantic diff of two plans, or of a plan against git", load: () => import("../diff.js") },
  run: { summary: "run a plan: approvals, journal, rollback on failure", load: () => import("../run.js") },
  upgrade: { summary: "add the risk flags the tool manifests and policy require", load: () => import("../upgrade.js") },
  rollback: { summary: "undo a run, or finish an incomplete rollback", load: () => import("../rollback.js") },
  runs: { summary: "list runs, or show one run's story", load: () => import("../runs.js") },
  approve: { summary: "approve a run's risky steps, from any machine", load: () => import("../approve.js") },
  worker: { summary: "execute runs queued in the shared run store", load: () => import("../worker.js") },
  tools: { summary: "list the registered tools, or describe one", load: () => import("../tools.js") },
  sandbox: { summary: "reset or show the simulated cloud", load: () => import("../sandbox.js") },
  lab: { summary: "start, stop or show the two local PostgreSQL clusters", load: () => import("../lab.js") },
  eval: { summary: "plan and grade the eval scenarios (a checkout only)", load: () => import("../eval.js") },
};
