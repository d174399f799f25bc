// Handlers of sandbox.iam.*: users, groups and access keys.
import { ToolError } from "../../src/registry/tool-error.js";
import { mustFind, mustNotExist, precondition } from "./world/lookup.js";
import { sandboxTool } from "./world/transaction.js";
import type { World } from "./world/types.js";

const LIST = "sandbox.iam.listUsers";
const MAX_KEYS = 2;

function groupsOf(w: World, user: string): string[] {
  return Object.keys(w.groups)
    .filter((g) => w.groups[g]!.members.includes(user))
    .sort();
}

export const describeUser = sandboxTool((w, { name }: { name: string }) => {
  const u = mustFind(w.users, name, "user", LIST);
  return { name, groups: groupsOf(w, name), accessKeys: u.accessKeys.map((k) => ({ ...k })) };
});

export const listUsers = sandboxTool((w, { group }: { group?: string }) => {
  if (group !== undefined) mustFind(w.groups, group, "group", LIST);
  return {
    users: Object.keys(w.users)
      .sort()
      .filter((u) => group === undefined || w.groups[group]!.members.includes(u))
      .map((u) => ({
        name: u,
        groups: groupsOf(w, u),
        activeKeys: w.users[u]!.accessKeys.filter((k) => k.status === "active").length,
      })),
  };
});

export const createUser = sandboxTool((w, { name }: { name: string }) => {
  mustNotExist(w.users, name, "user", "sandbox.iam.describeUser shows it");
  w.users[name] = { accessKeys: [] };
  return { name };
});

export const deleteUser = sandboxTool((w, { name }: { name: string }) => {
  const u = mustFind(w.users, name, "user", LIST);
  const groups = groupsOf(w, name);
  precondition(
    groups.length === 0,
    `user ${name} is still in groups ${groups.join(", ")}; call sandbox.iam.removeFromGroup first`,
  );
  precondition(
    u.accessKeys.length === 0,
    `user ${name} still has access keys ${u.accessKeys.map((k) => k.id).join(", ")}; call sandbox.iam.deleteAccessKey first`,
  );
  delete w.users[name];
  return { name, deleted: true };
});

export const addToGroup = sandboxTool((w, { user, group }: { user: string; group: string }) => {
  mustFind(w.users, user, "user", LIST);
  const g = mustFind(w.groups, group, "group", LIST);
  if (g.members.includes(user)) throw new ToolError("ALREADY_EXISTS", `${user} is already a member of ${group}`);
  g.members = [...g.members, user].sort();
  return { user, group, members: [...g.members] };
});

export const removeFromGroup = sandboxTool((w, { user, group }: { user: string; group: string }) => {
  const g = mustFind(w.groups, group, "group", LIST);
  if (!g.members.includes(user))
    throw new ToolError(
      "NOT_FOUND",
      `${user} is not a member of ${group}; sandbox.iam.describeUser lists their groups`,
    );
  g.members = g.members.filter((m) => m !== user);
  return { user, group, members: [...g.members] };
});

export const createAccessKey = sandboxTool((w, { user }: { user: string }, tick) => {
  const u = mustFind(w.users, user, "user", LIST);
  if (u.accessKeys.length >= MAX_KEYS)
    throw new ToolError(
      "QUOTA_EXCEEDED",
      `user ${user} already has ${MAX_KEYS} access keys; delete an old one with sandbox.iam.deleteAccessKey first`,
    );
  const accessKeyId = `AKIASANDBOX${String(tick.clock).padStart(9, "0")}`;
  u.accessKeys.push({ id: accessKeyId, status: "active" });
  return { user, accessKeyId, status: "active" as const };
});

export const deleteAccessKey = sandboxTool((w, { user, accessKeyId }: { user: string; accessKeyId: string }) => {
  const u = mustFind(w.users, user, "user", LIST);
  if (!u.accessKeys.some((k) => k.id === accessKeyId))
    throw new ToolError(
      "NOT_FOUND",
      `user ${user} has no access key ${accessKeyId}; sandbox.iam.describeUser lists them`,
    );
  u.accessKeys = u.accessKeys.filter((k) => k.id !== accessKeyId);
  return { user, accessKeyId, deleted: true };
});
