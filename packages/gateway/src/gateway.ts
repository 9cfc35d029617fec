// createGateway: the wiring. Options are resolved once (options.ts); the modules below own the rest:
// routes/ (one registration each, in `registerRoutes`), http-cache.ts (ETags, 304s, render memo),
// catalog.ts + tiered-cache.ts (loading and caching), relay/ (inference).
import type { FetchLike } from "@baseten-edge/core";
import { HonoBase as Hono } from "hono/hono-base";
import { PatternRouter } from "hono/router/pattern-router";
import { Authenticator } from "./auth.ts";
import { CatalogSource, readableEntry } from "./catalog.ts";
import { createAnswer, RenderMemo } from "./http-cache.ts";
import { Limiter } from "./limits/enforce.ts";
import { KeyDirectory } from "./limits/keys.ts";
import { registerReconcileRoute } from "./limits/reconcile.ts";
import { registerLimitRoutes } from "./limits/routes.ts";
import { LookupBudget } from "./lookup-budget.ts";
import { registerModelRoutes } from "./models.ts";
import { type GatewayOptions, type ResolvedOptions, resolveOptions } from "./options.ts";
import { catalogPage } from "./page/route.ts";
import { createRelay } from "./relay/relay.ts";
import { registerCatalogRoutes, visibleRows } from "./routes/catalog.ts";
import { corsFor } from "./routes/cors.ts";
import { errorName, internalError, notFound } from "./routes/errors.ts";
import { registerHealthRoute } from "./routes/health.ts";
import { registerRelayRoutes } from "./routes/relay.ts";
import { type Env, RouteTable } from "./routes/table.ts";
import { TieredCache } from "./tiered-cache.ts";

/** What runtimes pass along with a request: Workers' ExecutionContext, or nothing. */
export interface WaitUntilContext {
  waitUntil(promise: Promise<unknown>): void;
  /**
   * The client's address, as the runtime saw it (the socket's peer, or Cloudflare's
   * `CF-Connecting-IP`): bounds how many never-seen keys one client may have looked up upstream.
   */
  clientAddress?: string | undefined;
}

export interface Gateway {
  /** Answers one request. Pass the runtime's context so refreshes can finish after the answer. */
  fetch(request: Request, ctx?: WaitUntilContext): Promise<Response>;
  /** Operator mode: reloads the operator's catalog into every tier (for Cron Triggers). */
  refresh(): Promise<void>;
}

/**
 * Creates the gateway: Baseten's catalog routes, answered from a per-caller cache.
 *
 * @example
 * ```ts
 * import { createGateway } from "@baseten-edge/gateway";
 *
 * const gateway = createGateway({ auth: { mode: "pass-through" }, cacheSalt: "a long random secret value" });
 * const response = await gateway.fetch(new Request("http://localhost/healthz"));
 * console.log(response.status); // 200
 * ```
 */
export function createGateway(options: GatewayOptions): Gateway {
  const resolved = resolveOptions(options);
  const { log, now } = resolved;
  const keys = keyDirectory(resolved);
  const auth = new Authenticator(resolved.auth, resolved.cacheSalt, keys?.check);
  const source = new CatalogSource(createCache(resolved), upstreamOf(resolved));
  // PatternRouter: Hono's smallest router (1.4 KiB gzip less than RegExpRouter in the Worker), at
  // 0.2-0.3 µs more per match over our ~20 routes, next to hundreds of µs per relayed request.
  const app = new Hono<Env>({ router: new PatternRouter() });
  if (resolved.corsOrigins.length) app.use("*", corsFor(resolved.corsOrigins));
  const routes = new RouteTable(app);
  if (keys && resolved.limits) {
    const { store, adminTokenHashes } = resolved.limits;
    registerLimitRoutes(routes, { store, auth, keys, adminTokenHashes, now });
    const { managementUrl, fetch } = resolved;
    const modelLimits = resolved.limits.modelLimits;
    registerReconcileRoute(routes, { store, auth, source, adminTokenHashes, modelLimits, managementUrl, fetch, now });
  }
  registerRoutes(routes, auth, source, resolved);
  return {
    fetch(request, ctx) {
      const waitUntil = ctx ? (promise: Promise<unknown>) => ctx.waitUntil(promise) : undefined;
      return app.fetch(request, { waitUntil, clientAddress: ctx?.clientAddress }) as Promise<Response>;
    },
    async refresh() {
      if (auth.mode !== "operator") {
        log({ event: "refresh_skipped", reason: "pass-through mode has no key of its own" });
        return;
      }
      const started = now();
      try {
        await source.refresh(await auth.operatorCaller());
      } catch (error) {
        // Logged like a background refresh's failure, then rethrown for the runtime (a Cron Trigger's run fails).
        log({ event: "refresh_failed", error: errorName(error) });
        throw error;
      }
      log({ event: "refresh", ms: now() - started });
    },
  };
}

/** Every route, registered in one place (a new route module adds one line here). */
function registerRoutes(routes: RouteTable, auth: Authenticator, source: CatalogSource, options: ResolvedOptions) {
  const { log } = options;
  const memo = new RenderMemo();
  const answer = createAnswer(memo, { sign: (text) => auth.sign(text), freshMs: options.freshMs, now: options.now });
  registerRelayRoutes(
    routes,
    createRelay(auth, source, { ...relaySettings(options), limiter: limiter(options, source) }),
  );
  registerHealthRoute(routes);
  const page = catalogPage({
    auth,
    source,
    log,
    visibleRows: (lookup, caller) => visibleRows(memo, lookup.entry, caller, false),
  });
  routes.get("/", (c) => page(c.req.raw, c.env.waitUntil, c.env.clientAddress));
  registerCatalogRoutes(routes, { auth, source, answer, memo, log });
  registerModelRoutes(routes, {
    auth,
    source,
    answer,
    waitUntil: (c) => c.env.waitUntil,
    clientAddress: (c) => c.env.clientAddress,
    log,
  });
  routes.app.notFound(notFound(routes));
  routes.app.onError(internalError(routes, log));
}

/** Operator mode with limits: gateway keys are looked up in the limits store (never-seen ones charged to the client). */
function keyDirectory(options: ResolvedOptions): KeyDirectory | undefined {
  if (!options.limits || options.auth.mode !== "operator") return undefined;
  return new KeyDirectory(options.limits.store, lookupBudget(options), options.now, options.log);
}

function limiter(options: ResolvedOptions, source: CatalogSource): Limiter | undefined {
  const { limits } = options;
  if (!limits) return undefined;
  return new Limiter({
    store: limits.store,
    source,
    // Baseten's per-model limits are the operator's workspace's: pass-through callers bring their own.
    modelLimits: limits.modelLimits && options.auth.mode === "operator",
    firstByteTimeoutMs: options.firstByteTimeoutMs,
    streamMs: limits.streamMs,
    now: options.now,
    log: options.log,
  });
}

function lookupBudget(options: ResolvedOptions): LookupBudget {
  return new LookupBudget({
    perClient: options.newKeysPerClientPerMinute,
    perIsolate: options.newKeysPerMinute,
    windowMs: 60_000,
    now: options.now,
  });
}

function createCache(options: ResolvedOptions): TieredCache {
  const { log } = options;
  return new TieredCache({
    stores: options.stores,
    freshMs: options.freshMs,
    maxStaleMs: options.maxStaleMs,
    memoryBudget: options.memoryBudget,
    retryRefreshAfterMs: Math.min(options.freshMs, 10_000),
    now: options.now,
    readable: readableEntry,
    onStoreError: (store, operation, error) => log({ event: "store_error", store, operation, error: errorName(error) }),
    onRefreshError: (error) => log({ event: "refresh_failed", error: errorName(error) }),
  });
}

function upstreamOf(options: ResolvedOptions) {
  return {
    managementUrl: options.managementUrl,
    inferenceUrl: options.inferenceUrl,
    fetch: options.fetch,
    // Only pass-through mode meets keys it has never seen; the operator's key is always welcome.
    budget: options.auth.mode === "pass-through" ? lookupBudget(options) : undefined,
    log: options.log,
  };
}

/**
 * The global fetch, called as core's `FetchLike` contract asks: with `init` passed on. `init` carries
 * the attempt's signal; a Request's own signal stops following its parent once that Request is
 * collected (Node), so a fetch given only the Request could then not be aborted.
 */
const globalFetch: FetchLike = (request, init) => globalThis.fetch(request, init);

function relaySettings(options: ResolvedOptions) {
  return {
    inferenceUrl: options.inferenceUrl.replace(/\/+$/, ""),
    fetch: options.fetch ?? globalFetch,
    maxBodyBytes: options.maxBodyBytes,
    firstByteTimeoutMs: options.firstByteTimeoutMs,
    idleTimeoutMs: options.idleTimeoutMs,
    retries: options.relayRetries,
    modelListFreshMs: options.freshMs,
    maxRetryAfterMs: options.maxRetryAfterMs,
    now: options.now,
    log: options.log,
  };
}
