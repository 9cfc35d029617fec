// The gateway for `deno serve`: configured from Deno.env, cached in Deno KV (CATALOG_STORE=deno-kv) or memory.
import { ConfigurationError } from "../options.ts";
import { type DenoKv, denoKvStore } from "../stores/deno-kv.ts";
import { runtimeGateway } from "./server.ts";

// The few Deno APIs used here, so the package type-checks without Deno's types.
declare const Deno: {
  env: { toObject(): Record<string, string> };
  openKv(path?: string): Promise<DenoKv>;
};

if (typeof Deno === "undefined")
  throw new ConfigurationError("@baseten-edge/gateway/deno runs in Deno: `deno serve` it.");

const runtime = await runtimeGateway(Deno.env.toObject(), "Deno", {
  "deno-kv": async (env) => {
    if (typeof Deno.openKv !== "function")
      throw new ConfigurationError("CATALOG_STORE=deno-kv needs Deno KV: add --unstable-kv.");
    return denoKvStore(await Deno.openKv(env.DENO_KV_PATH?.trim() || undefined));
  },
});

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
