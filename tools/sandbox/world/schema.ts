/**
 * JSON Schema of a world, used to validate fixtures (after `extends` is
 * merged) so a typo in a fixture fails at load time, naming the file,
 * instead of as a confusing tool error later. Mirrors types.ts.
 */
const name = { type: "string", minLength: 1 };
const count = { type: "integer", minimum: 0 };
const record = (value: object) => ({ type: "object", additionalProperties: value });
const obj = (properties: Record<string, object>, required = Object.keys(properties)) => ({
  type: "object",
  additionalProperties: false,
  required,
  properties,
});
const tables = record(count);
const image = { database: name, engine: { const: "postgres" }, version: name, tables };

export const worldSchema = obj(
  {
    version: { const: 1 },
    fixture: name,
    clock: count,
    chaos: obj({ seed: { type: "integer" }, transientRate: { type: "number", minimum: 0, maximum: 1 } }),
    regions: record(obj({ quotas: obj({ instances: count, databases: count, buckets: count }) })),
    networks: record(obj({ region: name, cidr: name })),
    subnets: record(obj({ network: name, region: name, cidr: name, totalIps: count, reservedIps: count })),
    instances: record(
      obj({ region: name, subnet: name, size: name, ip: name, state: { enum: ["running", "stopped"] } }),
    ),
    databases: record(
      obj(
        {
          engine: { const: "postgres" },
          version: name,
          region: name,
          subnet: name,
          sizeGb: count,
          ip: name,
          readOnly: { type: "boolean" },
          deletionProtection: { type: "boolean" },
          tables,
          replicas: { type: "array", items: obj({ name, region: name, lagSeconds: count }) },
          restoredFrom: name,
        },
        [
          "engine",
          "version",
          "region",
          "subnet",
          "sizeGb",
          "ip",
          "readOnly",
          "deletionProtection",
          "tables",
          "replicas",
        ],
      ),
    ),
    snapshots: record(obj({ ...image, sizeGb: count, createdAt: count })),
    dumps: record(obj({ ...image, bytes: count })),
    buckets: record(
      obj(
        {
          region: name,
          foreign: { type: "boolean" },
          objects: record(
            obj({ size: count, checksum: name, contentType: name, dump: obj(image), content: { type: "string" } }, [
              "size",
              "checksum",
              "contentType",
            ]),
          ),
        },
        ["region", "objects"],
      ),
    ),
    dnsZones: record(
      obj({ records: record(obj({ name, type: { enum: ["A", "CNAME", "TXT"] }, value: name, ttl: count })) }),
    ),
    secrets: record(
      obj({
        versions: {
          type: "array",
          minItems: 1,
          items: obj({
            version: { type: "integer", minimum: 1 },
            createdAt: count,
            leaked: { type: "boolean" },
            revoked: { type: "boolean" },
            fingerprint: name,
          }),
        },
      }),
    ),
    users: record(
      obj({ accessKeys: { type: "array", items: obj({ id: name, status: { enum: ["active", "inactive"] } }) } }),
    ),
    groups: record(obj({ members: { type: "array", items: name } })),
    services: record(
      obj(
        {
          region: name,
          loadBalancer: name,
          slots: record(obj({ version: name, health: { enum: ["healthy", "unhealthy"] } })),
          traffic: record({ type: "integer", minimum: 0, maximum: 100 }),
          brokenVersions: { type: "array", items: name },
        },
        ["region", "slots", "traffic"],
      ),
    ),
    loadBalancers: record(obj({ region: name, targets: { type: "array", items: name } })),
    flags: record(obj({ enabled: { type: "boolean" }, rollout: { type: "integer", minimum: 0, maximum: 100 } })),
    calls: { type: "array" },
    idempotency: record(obj({ tool: name, output: {} })),
  },
  [
    "version",
    "fixture",
    "clock",
    "regions",
    "networks",
    "subnets",
    "instances",
    "databases",
    "snapshots",
    "dumps",
    "buckets",
    "dnsZones",
    "secrets",
    "users",
    "groups",
    "services",
    "loadBalancers",
    "flags",
    "calls",
    "idempotency",
  ],
);
