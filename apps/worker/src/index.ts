// The Worker entry: the portable gateway, with the Cache API and KV as its cache tiers, a Cron Trigger refresh,
// and gateway keys and limits kept in Durable Objects (LIMITS).
import { DurableObject } from "cloudflare:workers";
import {
  type CatalogStore,
  ConfigurationError,
  createGateway,
  type Gateway,
  type GatewayEvent,
  gatewayOptionsFromEnv,
} from "@baseten-edge/gateway";
import { durableObjectStore, limitAccountClass } from "@baseten-edge/gateway/limits/cloudflare";
import { cacheApiStore, kvStore } from "@baseten-edge/gateway/stores/cloudflare";

/** One account's ledger (a gateway key's digest, or a model in the workspace) per object: wrangler.jsonc's LIMITS. */
export class LimitAccount extends limitAccountClass(DurableObject) {}

// One gateway per env object: the isolate keeps its in-memory tier between requests, and a test
// (or a second env) gets its own gateway instead of someone else's configuration.
const gateways = new WeakMap<Env, Gateway>();

/** The Worker's gateway for `env` (made once per env object); `now` replaces the clock in tests. */
export function gatewayFor(env: Env, now?: () => number): Gateway {
  let gateway = gateways.get(env);
  if (!gateway) {
    // CATALOG_KV is optional: a deployment without a namespace runs on the Cache API alone.
    const kv: KVNamespace | undefined = env.CATALOG_KV;
    const stores: CatalogStore[] = [cacheApiStore(caches.default), ...(kv ? [kvStore(kv)] : [])];
    // LIMITS is optional too: without it, operator mode knows only the static GATEWAY_TOKENS, as before.
    const limits: typeof env.LIMITS | undefined = env.LIMITS;
    const limitStore = limits ? durableObjectStore(limits) : undefined;
    const lines = requestLog(env.REQUEST_LOG);
    const extra = {
      stores,
      log: (event: GatewayEvent) => log(event, lines, env.ANALYTICS),
      ...(limitStore && { limitStore }),
      ...(now && { now }),
    };
    gateway = createGateway(gatewayOptionsFromEnv({ ...env }, extra));
    gateways.set(env, gateway);
  }
  return gateway;
}

/** Which request events become a log line (REQUEST_LOG): every one, or only those that did not succeed. */
type RequestLog = "all" | "errors";

function requestLog(value: string | undefined): RequestLog {
  const mode = value?.trim() || "all";
  if (mode === "all" || mode === "errors") return mode;
  throw new ConfigurationError('REQUEST_LOG must be "all" or "errors".');
}

/** A request the client did not get a whole answer to: an error status, or a stream that did not complete. */
export function failedRequest(event: GatewayEvent): boolean {
  if (typeof event.status !== "number" || event.status >= 400) return true;
  return event.stream_outcome !== undefined && event.stream_outcome !== "complete";
}

/**
 * Gateway events are structured and never carry keys; one JSON line each suits Workers Logs. With
 * REQUEST_LOG=errors, a request that succeeded writes no line (each line costs CPU and Workers Logs
 * bills per line); every other event is still logged. With an Analytics Engine binding named
 * ANALYTICS, each relayed request is also one data point, whatever REQUEST_LOG says.
 */
function log(event: GatewayEvent, lines: RequestLog, analytics: AnalyticsEngineDataset | undefined): void {
  const request = event.event === "request";
  if (!request || lines === "all" || failedRequest(event)) console.log(JSON.stringify(event));
  if (analytics && request) analytics.writeDataPoint(requestDataPoint(event));
}

/** blobs: route, model, status, request id, cost (exact decimal text); doubles: tokens and times. */
export function requestDataPoint(event: GatewayEvent): AnalyticsEngineDataPoint {
  const text = (name: string) => String(event[name] ?? "");
  const number = (name: string) => (typeof event[name] === "number" ? (event[name] as number) : 0);
  return {
    indexes: [text("route")],
    blobs: [text("route"), text("model"), text("status"), text("request_id"), text("cost_usd")],
    doubles: [
      number("status"),
      number("input_tokens"),
      number("cached_tokens"),
      number("output_tokens"),
      Number(event.cost_usd ?? 0),
      number("ttfb_ms"),
      number("total_ms"),
    ],
  };
}

export default {
  async fetch(request, env, ctx) {
    let gateway: Gateway;
    try {
      gateway = gatewayFor(env);
    } catch (error) {
      if (!(error instanceof ConfigurationError)) throw error;
      // The operator reads the reason in the logs; callers learn only that it is not their fault.
      console.error(JSON.stringify({ event: "configuration_error", error: error.message }));
      return Response.json({ error: "The gateway is misconfigured; the reason is in its logs." }, { status: 500 });
    }
    // Cloudflare sets CF-Connecting-IP itself (a client cannot forge it past the edge): the bound on
    // never-seen keys is per client address.
    const clientAddress = request.headers.get("cf-connecting-ip") ?? undefined;
    return gateway.fetch(request, { waitUntil: (promise) => ctx.waitUntil(promise), clientAddress });
  },

  async scheduled(_controller, env, ctx) {
    ctx.waitUntil(gatewayFor(env).refresh());
  },
} satisfies ExportedHandler<Env>;
