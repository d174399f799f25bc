// Handlers of sandbox.lb.*: load balancers and their target instances.
import { ToolError } from "../../src/registry/tool-error.js";
import { mustFind, precondition } from "./world/lookup.js";
import { sandboxTool } from "./world/transaction.js";
import type { World } from "./world/types.js";

function lbView(w: World, name: string) {
  const lb = mustFind(w.loadBalancers, name, "load balancer", "sandbox.lb.list");
  return {
    name,
    region: lb.region,
    targets: lb.targets.map((t) => ({
      instance: t,
      ip: w.instances[t]?.ip ?? "",
      healthy: w.instances[t]?.state === "running",
    })),
  };
}

export const describe = sandboxTool((w, { name }: { name: string }) => lbView(w, name));

export const list = sandboxTool((w) => ({
  loadBalancers: Object.keys(w.loadBalancers)
    .sort()
    .map((n) => lbView(w, n)),
}));

export const addTarget = sandboxTool((w, { name, instance }: { name: string; instance: string }) => {
  const lb = mustFind(w.loadBalancers, name, "load balancer", "sandbox.lb.list");
  const i = mustFind(w.instances, instance, "instance", "sandbox.compute.list");
  precondition(
    i.region === lb.region,
    `instance ${instance} is in ${i.region}, load balancer ${name} in ${lb.region}; targets must share the region`,
  );
  if (lb.targets.includes(instance))
    throw new ToolError("ALREADY_EXISTS", `${instance} is already a target of ${name}`);
  lb.targets = [...lb.targets, instance].sort();
  return { name, instance, targets: [...lb.targets] };
});

export const removeTarget = sandboxTool(
  (w, { name, instance, allowEmpty }: { name: string; instance: string; allowEmpty?: boolean }) => {
    const lb = mustFind(w.loadBalancers, name, "load balancer", "sandbox.lb.list");
    if (!lb.targets.includes(instance))
      throw new ToolError("NOT_FOUND", `${instance} is not a target of ${name}; sandbox.lb.describe lists its targets`);
    precondition(
      lb.targets.length > 1 || allowEmpty === true,
      `${instance} is the last target of ${name}; removing it takes the service down — add a replacement first, or pass allowEmpty: true when decommissioning`,
    );
    lb.targets = lb.targets.filter((t) => t !== instance);
    return { name, instance, targets: [...lb.targets] };
  },
);
