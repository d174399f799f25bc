// Handlers of sandbox.network.* and sandbox.quota.*: where things can be placed.
import { freeIps, quotaUsage } from "./world/derived.js";
import { mustFind } from "./world/lookup.js";
import { sandboxTool } from "./world/transaction.js";
import type { World } from "./world/types.js";

function subnetView(w: World, name: string) {
  const s = mustFind(w.subnets, name, "subnet", "sandbox.network.listSubnets");
  return { name, network: s.network, region: s.region, cidr: s.cidr, totalIps: s.totalIps, freeIps: freeIps(w, name) };
}

export const listSubnets = sandboxTool((w, a: { region?: string; network?: string; minFreeIps?: number }) => ({
  subnets: Object.keys(w.subnets)
    .sort()
    .map((n) => subnetView(w, n))
    .filter(
      (s) =>
        (a.region === undefined || s.region === a.region) &&
        (a.network === undefined || s.network === a.network) &&
        s.freeIps >= (a.minFreeIps ?? 0),
    ),
}));

export const describeSubnet = sandboxTool((w, { name }: { name: string }) => subnetView(w, name));

export const listRegions = sandboxTool((w) => ({
  regions: Object.keys(w.regions)
    .sort()
    .map((r) => ({
      name: r,
      networks: Object.keys(w.networks)
        .filter((n) => w.networks[n]!.region === r)
        .sort(),
    })),
}));

export const describeQuota = sandboxTool((w, { region }: { region: string }) => {
  mustFind(w.regions, region, "region", "sandbox.network.listRegions");
  return { region, ...quotaUsage(w, region) };
});
