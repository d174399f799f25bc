// Handler of postgres.cluster.status: is a named cluster up, and where is it. A cluster that is down is an answer.
import type { HandlerContext } from "../../src/registry/types.js";
import { ping } from "./client.js";

export async function status({ cluster }: { cluster: string }, ctx: HandlerContext) {
  const answer = await ping(ctx.stateDir, cluster);
  const where = answer.connection ? { host: answer.connection.host, port: answer.connection.port } : {};
  return answer.up
    ? { cluster, up: true, version: answer.version, ...where }
    : { cluster, up: false, reason: answer.reason, ...where };
}
