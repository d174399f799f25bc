// Handlers of sandbox.storage.*: buckets and objects. Dumps travel through here.
import { createHash } from "node:crypto";
import { ToolError } from "../../src/registry/tool-error.js";
import { quotaUsage } from "./world/derived.js";
import { mustFind, mustNotExist, precondition } from "./world/lookup.js";
import { sandboxTool } from "./world/transaction.js";
import type { Bucket, StoredObject, World } from "./world/types.js";

const LIST_BUCKETS = "sandbox.storage.listBuckets";

function ownBucket(w: World, name: string): Bucket {
  const bucket = mustFind(w.buckets, name, "bucket", LIST_BUCKETS);
  if (bucket.foreign)
    throw new ToolError(
      "PERMISSION_DENIED",
      `bucket ${name} belongs to another account; bucket names are global, so create one with another name`,
    );
  return bucket;
}

function objectView(bucket: string, key: string, o: StoredObject) {
  return { bucket, key, size: o.size, checksum: o.checksum, contentType: o.contentType, isDump: o.dump !== undefined };
}

export const listBuckets = sandboxTool((w, { region }: { region?: string }) => ({
  buckets: Object.keys(w.buckets)
    .sort()
    .filter((n) => region === undefined || w.buckets[n]!.region === region)
    .map((n) => ({
      name: n,
      region: w.buckets[n]!.region,
      ownedByUs: !w.buckets[n]!.foreign,
      objects: Object.keys(w.buckets[n]!.objects).length,
    })),
}));

export const createBucket = sandboxTool((w, { name, region }: { name: string; region: string }) => {
  mustFind(w.regions, region, "region", "sandbox.network.listRegions");
  if (w.buckets[name]?.foreign)
    throw new ToolError("ALREADY_EXISTS", `bucket name ${name} is taken by another account; choose another name`);
  mustNotExist(w.buckets, name, "bucket", "reuse it or choose another name");
  const usage = quotaUsage(w, region).buckets;
  if (usage.used >= usage.limit)
    throw new ToolError(
      "QUOTA_EXCEEDED",
      `region ${region} allows ${usage.limit} buckets and has ${usage.used}; reuse an existing bucket (sandbox.storage.listBuckets)`,
    );
  w.buckets[name] = { region, objects: {} };
  return { name, region };
});

export const deleteBucket = sandboxTool((w, { name }: { name: string }) => {
  const bucket = ownBucket(w, name);
  const count = Object.keys(bucket.objects).length;
  precondition(
    count === 0,
    `bucket ${name} still holds ${count} objects; delete them with sandbox.storage.delete first`,
  );
  const region = bucket.region;
  delete w.buckets[name];
  return { name, region, deleted: true };
});

export const list = sandboxTool((w, { bucket, prefix }: { bucket: string; prefix?: string }) => {
  const b = ownBucket(w, bucket);
  return {
    objects: Object.keys(b.objects)
      .sort()
      .filter((k) => k.startsWith(prefix ?? ""))
      .map((k) => objectView(bucket, k, b.objects[k]!)),
  };
});

interface PutArgs {
  bucket: string;
  key: string;
  source?: string;
  content?: string;
  contentType?: string;
  overwrite?: boolean;
}

export const put = sandboxTool((w, a: PutArgs) => {
  const b = ownBucket(w, a.bucket);
  if ((a.source === undefined) === (a.content === undefined))
    throw new ToolError(
      "PRECONDITION_FAILED",
      "give exactly one of `source` (a dump path from sandbox.db.dump) or `content` (text)",
    );
  if (b.objects[a.key] && !a.overwrite)
    throw new ToolError(
      "ALREADY_EXISTS",
      `${a.bucket}/${a.key} already exists; choose another key, delete it, or pass overwrite: true`,
    );
  let object: StoredObject;
  if (a.source !== undefined) {
    const dump = mustFind(w.dumps, a.source, "dump file", "sandbox.db.dump (it prints the path)");
    const { bytes, ...image } = dump;
    object = {
      size: bytes,
      checksum: digest(JSON.stringify(image)),
      contentType: "application/x-pg-dump",
      dump: structuredClone(image),
    };
  } else {
    object = {
      size: Buffer.byteLength(a.content!),
      checksum: digest(a.content!),
      contentType: a.contentType ?? "text/plain",
      content: a.content!,
    };
  }
  b.objects[a.key] = object;
  return objectView(a.bucket, a.key, object);
});

export const get = sandboxTool((w, { bucket, key }: { bucket: string; key: string }) => {
  const o = mustFind(
    ownBucket(w, bucket).objects,
    key,
    `object in ${bucket}`,
    `sandbox.storage.list {bucket: ${bucket}}`,
  );
  const view = { ...objectView(bucket, key, o), ...(o.content !== undefined ? { content: o.content } : {}) };
  return o.dump ? { ...view, dumpOf: o.dump.database } : view;
});

export const deleteObject = sandboxTool((w, { bucket, key }: { bucket: string; key: string }) => {
  const b = ownBucket(w, bucket);
  mustFind(b.objects, key, `object in ${bucket}`, `sandbox.storage.list {bucket: ${bucket}}`);
  delete b.objects[key];
  return { bucket, key, deleted: true };
});

function digest(text: string): string {
  return `sha256:${createHash("sha256").update(text).digest("hex").slice(0, 16)}`;
}
