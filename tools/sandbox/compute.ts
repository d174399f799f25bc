// Handlers of sandbox.compute.*: instances, each holding one IP of its subnet.
import { ToolError } from "../../src/registry/tool-error.js";
import { allocateIp, freeIps, quotaUsage } from "./world/derived.js";
import { mustFind, mustNotExist, precondition } from "./world/lookup.js";
import { sandboxTool } from "./world/transaction.js";
import type { World } from "./world/types.js";

const LIST = "sandbox.compute.list";

function instanceView(w: World, name: string) {
  const i = mustFind(w.instances, name, "instance", LIST);
  return { name, region: i.region, subnet: i.subnet, size: i.size, ip: i.ip, state: i.state };
}

export const describe = sandboxTool((w, { name }: { name: string }) => instanceView(w, name));

export const list = sandboxTool((w, { region, subnet }: { region?: string; subnet?: string }) => ({
  instances: Object.keys(w.instances)
    .sort()
    .map((n) => instanceView(w, n))
    .filter((i) => (region === undefined || i.region === region) && (subnet === undefined || i.subnet === subnet)),
}));

export const create = sandboxTool(
  (w, { name, subnet, size, ip }: { name: string; subnet: string; size: string; ip?: string }) => {
    mustNotExist(w.instances, name, "instance", "pick another name");
    const s = mustFind(w.subnets, subnet, "subnet", "sandbox.network.listSubnets");
    const usage = quotaUsage(w, s.region).instances;
    if (usage.used >= usage.limit)
      throw new ToolError(
        "QUOTA_EXCEEDED",
        `region ${s.region} allows ${usage.limit} instances and has ${usage.used}; delete one or ask for a higher quota (sandbox.quota.describe)`,
      );
    if (freeIps(w, subnet) === 0)
      throw new ToolError(
        "CAPACITY_EXHAUSTED",
        `subnet ${subnet} has no free IP addresses; call sandbox.network.listSubnets {region: ${s.region}, minFreeIps: 1} and pick another`,
      );
    w.instances[name] = { region: s.region, subnet, size, ip: allocateIp(w, subnet, ip), state: "running" };
    return instanceView(w, name);
  },
);

export const deleteInstance = sandboxTool((w, { name }: { name: string }) => {
  const i = mustFind(w.instances, name, "instance", LIST);
  const behind = Object.keys(w.loadBalancers).filter((lb) => w.loadBalancers[lb]!.targets.includes(name));
  precondition(
    behind.length === 0,
    `instance ${name} is a target of load balancer ${behind.join(", ")}; call sandbox.lb.removeTarget first`,
  );
  delete w.instances[name];
  return { name, subnet: i.subnet, size: i.size, ip: i.ip, deleted: true };
});
