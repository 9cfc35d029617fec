// The gateway for `deno serve`: configured from Deno.env, cached in Deno KV (CATALOG_STORE=deno-kv) or memory.

import { type DenoKvLimits, denoKvLimitStore } from "../limits/deno-kv.ts";
import { ConfigurationError } from "../options.ts";
import { type DenoKv, denoKvStore } from "../stores/deno-kv.ts";
import { limitStoreTarget } from "./limit-openers.ts";
import { runtimeGateway } from "./server.ts";

// The few Deno APIs used here, so the package type-checks without Deno's types.
declare const Deno: {
  env: { toObject(): Record<string, string> };
  openKv(path?: string): Promise<DenoKv & DenoKvLimits>;
};

if (typeof Deno === "undefined")
  throw new ConfigurationError("@baseten-edge/gateway/deno runs in Deno: `deno serve` it.");

// One handle per database: two handles on one file in one process conflict ("database is locked").
const handles = new Map<string, Promise<DenoKv & DenoKvLimits>>();
function kvAt(path: string): Promise<DenoKv & DenoKvLimits> {
  const handle = handles.get(path) ?? Deno.openKv(path || undefined);
  handles.set(path, handle);
  return handle;
}

const runtime = await runtimeGateway(
  Deno.env.toObject(),
  "Deno",
  {
    "deno-kv": async (env) => {
      if (typeof Deno.openKv !== "function")
        throw new ConfigurationError("CATALOG_STORE=deno-kv needs Deno KV: add --unstable-kv.");
      return denoKvStore(await kvAt(env.DENO_KV_PATH?.trim() ?? ""));
    },
  },
  {
    // `deno-kv` alone: the KV database the catalog uses (DENO_KV_PATH, else Deno's default); `deno-kv:<path>`: another one.
    "deno-kv": async (env) => {
      if (typeof Deno.openKv !== "function")
        throw new ConfigurationError("LIMITS_STORE=deno-kv needs Deno KV: add --unstable-kv.");
      return denoKvLimitStore(await kvAt(limitStoreTarget(env, env.DENO_KV_PATH?.trim() ?? "")));
    },
  },
);

/**
 * The handler `deno serve` calls. Deno KV needs `--unstable-kv`.
 *
 * @example
 * ```sh
 * CACHE_SALT=... deno serve --allow-net --allow-env --port 8787 npm:@baseten-edge/gateway/deno
 * ```
 */
// `deno serve` passes the connection's info: its remote address is the client's.
type ServeInfo = { remoteAddr?: { hostname?: string } };
const server: { fetch(request: Request, info?: ServeInfo): Promise<Response> } = {
  fetch: (request, info) => runtime.fetch(request, info?.remoteAddr?.hostname),
};
export default server;
