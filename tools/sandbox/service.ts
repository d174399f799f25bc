// Handlers of sandbox.service.*: deployed versions in blue/green slots and the traffic between them.
import { ToolError } from "../../src/registry/tool-error.js";
import { mustFind, precondition } from "./world/lookup.js";
import { sandboxTool } from "./world/transaction.js";
import type { World } from "./world/types.js";

const LIST = "sandbox.service.list";

function serviceView(w: World, name: string) {
  const s = mustFind(w.services, name, "service", LIST);
  const slots = Object.keys(s.slots)
    .sort()
    .map((slot) => ({
      slot,
      version: s.slots[slot]!.version,
      health: s.slots[slot]!.health,
      traffic: s.traffic[slot] ?? 0,
    }));
  return {
    name,
    region: s.region,
    ...(s.loadBalancer !== undefined ? { loadBalancer: s.loadBalancer } : {}),
    slots,
    servingHealthy: slots.every((x) => x.traffic === 0 || x.health === "healthy"),
  };
}

export const describe = sandboxTool((w, { name }: { name: string }) => serviceView(w, name));

export const list = sandboxTool((w) => ({
  services: Object.keys(w.services)
    .sort()
    .map((n) => serviceView(w, n)),
}));

export const deploy = sandboxTool((w, { name, slot, version }: { name: string; slot: string; version: string }) => {
  const s = mustFind(w.services, name, "service", LIST);
  const target = mustFind(s.slots, slot, `slot of ${name}`, `sandbox.service.describe {name: ${name}}`);
  const live = s.traffic[slot] ?? 0;
  if (live > 0)
    throw new ToolError(
      "CONFLICT",
      `slot ${slot} of ${name} serves ${live}% of traffic; deploy to an idle slot, then shift traffic with sandbox.service.setTraffic`,
    );
  const previousVersion = target.version;
  target.version = version;
  target.health = s.brokenVersions?.includes(version) ? "unhealthy" : "healthy";
  return { name, slot, version, health: target.health, previousVersion };
});

export const setTraffic = sandboxTool((w, { name, weights }: { name: string; weights: Record<string, number> }) => {
  const s = mustFind(w.services, name, "service", LIST);
  for (const slot of Object.keys(weights))
    mustFind(s.slots, slot, `slot of ${name}`, `sandbox.service.describe {name: ${name}}`);
  const sum = Object.values(weights).reduce((a, b) => a + b, 0);
  precondition(sum === 100, `traffic weights of ${name} must sum to 100, not ${sum}`);
  const sick = Object.keys(weights).filter((k) => weights[k]! > 0 && s.slots[k]!.health !== "healthy");
  precondition(
    sick.length === 0,
    `slot ${sick.join(", ")} of ${name} is unhealthy; send it no traffic (deploy a good version first)`,
  );
  const previous = { ...s.traffic };
  s.traffic = { ...weights };
  return { name, weights: { ...weights }, previous };
});

export const deleteService = sandboxTool((w, { name }: { name: string }) => {
  const s = mustFind(w.services, name, "service", LIST);
  const targets = s.loadBalancer ? (w.loadBalancers[s.loadBalancer]?.targets ?? []) : [];
  precondition(
    targets.length === 0,
    `service ${name} still has targets behind ${s.loadBalancer} (${targets.join(", ")}); drain them with sandbox.lb.removeTarget first`,
  );
  delete w.services[name];
  return { name, deleted: true };
});
