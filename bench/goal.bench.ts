// Goal understanding against a large world: 1,000 entities (databases,
// services, secrets, load balancers, DNS records, regions) and the shipped
// methods. Cold: the list tools' outputs made into a fresh world per goal, as
// each plan reads one, so entities and the name index are built every time. `npx tsx bench/index.ts goal`
import { understand } from "../src/planner/goal/understand.js";
import { listEntities, type World } from "../src/planner/goal/world.js";
import { loadMethods, type MethodLibrary } from "../src/planner/offline/methods.js";
import { median, sample, type BenchTable } from "./table.js";

const RUNS = 50;
const TARGET_MS = 20;

const GOALS = [
  "Migrate the orders database from us-east-1 to eu-west-1",
  "Please relocate the orders postgres database from us-east-1 over to eu-west-1",
  "Roll out version 2.4.1 of the checkout service with a blue-green deploy",
  "Rotate the leaked orders-db-password secret",
  "Onboard a new engineer named Dana Ruiz",
  "Migrate the payments-archive-7 database to eu-west-1",
  "Move the ordrs db to eu-west-1",
];

function bigWorld(methods: MethodLibrary): { world: () => World; entities: number } {
  const regions = ["us-east-1", "eu-west-1", ...Array.from({ length: 18 }, (_, i) => `ap-east-${i + 2}`)];
  const names = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
  const outputs: Record<string, unknown> = {
    region: { regions: regions.map((name) => ({ name })) },
    database: {
      databases: ["orders", "inventory", ...names("orders-shard", 200), ...names("analytics db", 98)].map(
        (name, i) => ({
          name,
          region: regions[i % 2],
        }),
      ),
    },
    service: { services: ["checkout", ...names("svc", 199)].map((name) => ({ name, loadBalancer: "web-lb" })) },
    secret: { secrets: ["orders-db-password", ...names("api-key", 199)].map((name) => ({ name })) },
    "load-balancer": { loadBalancers: ["web-lb", ...names("lb", 79)].map((name) => ({ name })) },
    "dns-record": { records: names("host", 200).map((n) => ({ name: `${n}.internal`, type: "CNAME" })) },
  };
  let entities = 0;
  const world = () => {
    const w: World = new Map();
    entities = 0;
    for (const [type, output] of Object.entries(outputs)) {
      const listed = listEntities(type, methods.entities.get(type)!, output);
      if ("entities" in listed) entities += listed.entities.length;
      w.set(type, listed);
    }
    return w;
  };
  world();
  return { world, entities };
}

export default async function bench(): Promise<BenchTable[]> {
  const methods = await loadMethods("tools");
  const { world, entities } = bigWorld(methods);
  const rows: (string | number)[][] = [];
  const medians: number[] = [];
  const t0 = performance.now();
  understand(GOALS[0]!, methods, world());
  const first = performance.now() - t0;
  // Warm-up: the first calls pay for JIT compilation, which a long-lived planner does not.
  for (let i = 0; i < 10; i++) for (const goal of GOALS) understand(goal, methods, world());
  for (const goal of GOALS) {
    const cold = median(await sample(RUNS, () => understand(goal, methods, world())));
    const shared = world();
    const warm = median(await sample(RUNS, () => understand(goal, methods, shared)));
    const u = understand(goal, methods, shared);
    medians.push(cold);
    rows.push([goal.length > 60 ? `${goal.slice(0, 57)}…` : goal, u.ok ? u.method.name : u.reason, cold, warm]);
  }
  const worst = Math.max(...medians);
  return [
    {
      title: `goal understanding against a world of ${entities} entities (median of ${RUNS}, ms)`,
      columns: ["goal", "reading", "cold", "warm"],
      rows,
      notes: [
        `Target: < ${TARGET_MS} ms median per goal (cold: entities listed and indexed each time) — ${worst < TARGET_MS ? "holds" : "MISSED"} (worst ${worst.toFixed(2)} ms).`,
        `The very first call in a fresh process (JIT not warm, as in one \`tsx src/plan.ts\`): ${first.toFixed(1)} ms.`,
      ],
    },
  ];
}
