// Handlers of sandbox.secrets.*: versioned secrets; values never leave the sandbox, only fingerprints.
import { createHash } from "node:crypto";
import { mustFind, precondition } from "./world/lookup.js";
import { sandboxTool } from "./world/transaction.js";
import type { Secret, World } from "./world/types.js";

const LIST = "sandbox.secrets.list";

function secretView(w: World, name: string) {
  const s = mustFind(w.secrets, name, "secret", LIST);
  const current = s.versions.at(-1)!;
  return {
    name,
    currentVersion: current.version,
    leaked: current.leaked,
    anyLeakedActive: s.versions.some((v) => v.leaked && !v.revoked),
    versions: s.versions.map((v) => ({
      version: v.version,
      createdAt: v.createdAt,
      leaked: v.leaked,
      revoked: v.revoked,
      fingerprint: v.fingerprint,
    })),
  };
}

export const get = sandboxTool((w, { name }: { name: string }) => secretView(w, name));

export const list = sandboxTool((w) => ({
  secrets: Object.keys(w.secrets)
    .sort()
    .map((n) => {
      const v = secretView(w, n);
      return { name: n, currentVersion: v.currentVersion, leaked: v.leaked, anyLeakedActive: v.anyLeakedActive };
    }),
}));

function addVersion(w: World, name: string, fingerprint: string, clock: number) {
  const secret: Secret = w.secrets[name] ?? (w.secrets[name] = { versions: [] });
  const previousVersion = secret.versions.at(-1)?.version ?? 0;
  const version = previousVersion + 1;
  secret.versions.push({ version, createdAt: clock, leaked: false, revoked: false, fingerprint });
  return { name, version, previousVersion, fingerprint };
}

export const put = sandboxTool((w, { name, value }: { name: string; value: string }, tick) =>
  addVersion(w, name, fingerprintOf(value), tick.clock),
);

/** A new random value, made deterministic by the logical clock. */
export const rotate = sandboxTool((w, { name }: { name: string }, tick) => {
  mustFind(w.secrets, name, "secret", LIST);
  return addVersion(w, name, fingerprintOf(`${name}@${tick.clock}`), tick.clock);
});

export const revoke = sandboxTool((w, { name, version }: { name: string; version: number }) => {
  const s = mustFind(w.secrets, name, "secret", LIST);
  const v = s.versions.find((x) => x.version === version);
  precondition(v !== undefined, `secret ${name} has no version ${version}; sandbox.secrets.get lists its versions`);
  precondition(
    version !== s.versions.at(-1)!.version,
    `version ${version} is the current version of ${name}; call sandbox.secrets.rotate first so clients have a valid one`,
  );
  v.revoked = true;
  return { name, version, revoked: true };
});

/** Drops versions newer than toVersion (0 removes the secret): the compensation of put and rotate. */
export const rollback = sandboxTool((w, { name, toVersion }: { name: string; toVersion: number }) => {
  const s = mustFind(w.secrets, name, "secret", LIST);
  const current = s.versions.at(-1)!.version;
  precondition(toVersion < current, `secret ${name} is at version ${current}; rollback needs a lower version`);
  precondition(
    toVersion === 0 || s.versions.some((v) => v.version === toVersion && !v.revoked),
    `version ${toVersion} of ${name} does not exist or is revoked; it cannot become current`,
  );
  const removed = s.versions.filter((v) => v.version > toVersion).map((v) => v.version);
  if (toVersion === 0) delete w.secrets[name];
  else s.versions = s.versions.filter((v) => v.version <= toVersion);
  return { name, currentVersion: toVersion, removedVersions: removed };
});

function fingerprintOf(value: string): string {
  return `fp:${createHash("sha256").update(value).digest("hex").slice(0, 8)}`;
}
