// Handlers of sandbox.flags.*: feature flags with a percentage rollout.
import { mustFind } from "./world/lookup.js";
import { sandboxTool } from "./world/transaction.js";

export const get = sandboxTool((w, { name }: { name: string }) => ({
  name,
  ...mustFind(w.flags, name, "feature flag", "sandbox.flags.list"),
}));

export const list = sandboxTool((w) => ({
  flags: Object.keys(w.flags)
    .sort()
    .map((n) => ({ name: n, ...w.flags[n]! })),
}));

export const set = sandboxTool(
  (w, { name, enabled, rollout }: { name: string; enabled: boolean; rollout?: number }) => {
    const f = mustFind(w.flags, name, "feature flag", "sandbox.flags.list");
    const previous = { ...f };
    f.enabled = enabled;
    f.rollout = rollout ?? f.rollout;
    return { name, enabled: f.enabled, rollout: f.rollout, previous };
  },
);
