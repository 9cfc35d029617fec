// createGateway: the portable fetch handler (Hono routes over the cached catalog).
import { InvalidArgumentError, type ModelApi, RateLimitError } from "@baseten-edge/core";
import { assertPathSegment } from "@baseten-edge/core/internal";
import { type Context, Hono } from "hono";
import { cors } from "hono/cors";
import { Authenticator, type Caller } from "./auth.ts";
import { CatalogSource, UpstreamAuthError } from "./catalog.ts";
import { issueCursor, readCursor } from "./cursor.ts";
import { clip } from "./echo.ts";
import { LookupBudget, LookupLimited } from "./lookup-budget.ts";
import { registerModelRoutes } from "./models.ts";
import { checkOptions, type GatewayOptions } from "./options.ts";
import { catalogPage } from "./page/route.ts";
import { anthropic, openai, openaiResponses, type Protocol } from "./relay/protocols.ts";
import { createRelay, type RouteSpec } from "./relay/relay.ts";
import { searchParams, searchResponse } from "./search.ts";
import { type Entry, type Lookup, renderBudget, TieredCache } from "./tiered-cache.ts";

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

type Env = {
  Bindings: { waitUntil: ((promise: Promise<unknown>) => void) | undefined; clientAddress: string | undefined };
};

const MAX_NAME_LENGTH = 256;
const TRUE = new Set(["true", "1", "yes", "on"]);
const FALSE = new Set(["false", "0", "no", "off"]);
const RELAYED: readonly RouteSpec[] = [
  { path: "/v1/chat/completions", protocol: openai, arrays: ["messages"] },
  { path: "/v1/messages", protocol: anthropic, arrays: ["messages"] },
  { path: "/v1/messages/count_tokens", protocol: anthropic, arrays: ["messages"] },
  { path: "/v1/responses", protocol: openaiResponses, arrays: [] },
];
/** Routes, their methods and error protocol, for 405 answers. */
const ROUTES: [RegExp, string, Protocol | null][] = [
  [/^\/$/, "GET, HEAD", null],
  [/^\/healthz$/, "GET, HEAD", null],
  [/^\/v1\/model_apis(\/[^/]+)?$/, "GET, HEAD", null],
  [/^\/v1\/models(\/.+)?$/, "GET, HEAD", openai],
  [/^\/api\/models\/list$/, "GET, HEAD", null],
  ...RELAYED.map((route): [RegExp, string, Protocol] => [new RegExp(`^${route.path}$`), "POST", route.protocol]),
];

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
  checkOptions(options);
  const now = options.now ?? Date.now;
  const log = options.log ?? (() => {});
  const freshMs = (options.freshSeconds ?? 60) * 1000;
  const cache = new TieredCache({
    stores: options.stores ?? [],
    freshMs,
    maxStaleMs: (options.maxStaleSeconds ?? 86_400) * 1000,
    memoryBudget: (options.memoryMegabytes ?? 32) * 1024 * 1024,
    retryRefreshAfterMs: Math.min(freshMs, 10_000),
    now,
    onStoreError: (store, operation, error) => log({ event: "store_error", store, operation, error: errorName(error) }),
    onRefreshError: (error) => log({ event: "refresh_failed", error: errorName(error) }),
  });
  const auth = new Authenticator(options.auth, options.cacheSalt);
  const source = new CatalogSource(cache, {
    managementUrl: options.managementUrl ?? "https://api.baseten.co",
    inferenceUrl: options.inferenceUrl ?? "https://inference.baseten.co",
    fetch: options.fetch,
    // Only pass-through mode meets keys it has never seen; the operator's key is always welcome.
    budget:
      options.auth.mode === "pass-through"
        ? new LookupBudget({
            perClient: options.newKeysPerClientPerMinute ?? 30,
            perIsolate: options.newKeysPerMinute ?? 600,
            windowMs: 60_000,
            now,
          })
        : undefined,
  });

  const relay = createRelay(auth, source, {
    inferenceUrl: (options.inferenceUrl ?? "https://inference.baseten.co").replace(/\/+$/, ""),
    fetch: options.fetch ?? ((request) => globalThis.fetch(request)),
    maxBodyBytes: options.maxBodyBytes ?? 10 * 1024 * 1024,
    firstByteTimeoutMs: (options.firstByteTimeoutSeconds ?? 600) * 1000,
    idleTimeoutMs: (options.idleTimeoutSeconds ?? 120) * 1000,
    retries: options.relayRetries ?? 1,
    modelListFreshMs: freshMs,
    maxRetryAfterMs: (options.maxRetryAfterSeconds ?? 2) * 1000,
    now,
    log,
  });

  const app = new Hono<Env>();
  if (options.corsOrigins?.length) {
    const origins = options.corsOrigins;
    // Preflights are answered here from the allowlist and never reach Baseten.
    app.use(
      "*",
      cors({
        origin: origins.includes("*") ? "*" : origins,
        allowMethods: ["GET", "HEAD", "POST", "OPTIONS"],
        allowHeaders: [
          "Authorization",
          "Content-Type",
          "X-Api-Key",
          "X-Session-Affinity",
          "Anthropic-Version",
          "Anthropic-Beta",
          "If-None-Match",
        ],
        exposeHeaders: [
          "X-Cache",
          "X-Request-Id",
          "X-Baseten-Edge-Cost-Usd",
          "X-Baseten-Request-Id",
          "ETag",
          "Age",
          "Retry-After",
        ],
        maxAge: 600,
      }),
    );
  }
  for (const route of RELAYED) {
    app.post(route.path, (c) => relay(route, c.req.raw, c.env.waitUntil, c.env.clientAddress));
  }

  /** Identifies the caller or answers 401; the handler runs only for known callers. */
  const withCaller =
    (allowPublic: boolean, handler: (c: Context<Env>, caller: Caller) => Promise<Response>) =>
    async (c: Context<Env>) => {
      const identified = await auth.identify(c.req.raw, allowPublic);
      if (!identified.ok) return error(c, identified.status, identified.message);
      try {
        return await handler(c, identified.caller);
      } catch (thrown) {
        return upstreamFailure(c, thrown);
      }
    };

  /** Headers every cached answer carries. */
  const cached = (c: Context<Env>, lookup: Lookup<unknown>, caller: Caller, etag: string) => {
    const age = Math.max(0, Math.floor((now() - lookup.entry.fetchedAt) / 1000));
    const maxAge = Math.max(0, Math.floor(freshMs / 1000) - age);
    c.header("x-cache", lookup.status);
    c.header("age", String(age));
    c.header("cache-control", `${caller.view === "public" ? "public" : "private"}, max-age=${maxAge}`);
    c.header("vary", "Authorization, X-Api-Key");
    c.header("etag", etag);
  };

  /**
   * Sends `render()`, or 304 when the caller already has it. Renderings are memoised on the entry
   * up to `renderBudget`, so a hit costs a map lookup, while callers varying `limit` cannot grow
   * the memo past a small multiple of the catalog's own size.
   */
  const answer = async (
    c: Context<Env>,
    lookup: Lookup<unknown>,
    caller: Caller,
    variant: string,
    render: () => Promise<string> | string,
  ) => {
    const { entry } = lookup;
    let memo = entry.rendered.get(variant) as { body: string; etag: string } | undefined;
    if (!memo) {
      // Keyed by the caller's id (the HMAC of their key), never the bare content hash: tenants with
      // equal catalogs get different ETags, so a tag tells nothing about another tenant's catalog.
      // Everyone sharing an entry shares its id (entries are stored per id), so the memo stays valid.
      memo = { body: await render(), etag: `"${await auth.sign(`etag:${caller.id}:${entry.hash}:${variant}`)}"` };
      if (entry.renderedSize + memo.body.length <= renderBudget(entry)) {
        entry.rendered.set(variant, memo);
        entry.renderedSize += memo.body.length;
      }
    }
    cached(c, lookup, caller, memo.etag);
    const match = c.req.header("if-none-match");
    if (match?.split(",").some((tag) => tag.trim().replace(/^W\//, "") === memo.etag)) return c.body(null, 304);
    c.header("content-type", "application/json");
    return c.body(memo.body);
  };

  app.get("/healthz", (c) => c.json({ status: "ok" }));

  const page = catalogPage({
    auth,
    source,
    log,
    visibleRows: (lookup, caller) => visibleRows(lookup.entry, caller, false),
  });
  app.get("/", (c) => page(c.req.raw, c.env.waitUntil, c.env.clientAddress));

  app.get(
    "/v1/model_apis",
    withCaller(true, async (c, caller) => {
      // Like Baseten, unknown parameters (cache busters, tracking tags) are ignored; only the known
      // ones below reach the memo key, so they never split the cache either.
      const query = new URL(c.req.url).searchParams;
      const limitText = query.get("limit") ?? "100";
      const limit = /^\d{1,4}$/.test(limitText) ? Number(limitText) : Number.NaN;
      if (!(limit >= 1 && limit <= 1000)) return error(c, 400, "limit must be a whole number from 1 to 1000.");
      const addedText = query.get("added_only")?.toLowerCase();
      if (addedText !== undefined && !TRUE.has(addedText) && !FALSE.has(addedText)) {
        return error(c, 400, "added_only must be true or false.");
      }
      let addedOnly = addedText !== undefined && TRUE.has(addedText);
      let offset = 0;
      const cursor = query.get("cursor");
      if (cursor) {
        const state = await readCursor(cursor, `${caller.id}:${caller.view}`, (t) => auth.sign(t));
        if (!state || (addedText !== undefined && state.addedOnly !== addedOnly)) {
          return error(c, 400, "Invalid cursor: pass the cursor of the previous page, with the same key and filters.");
        }
        ({ offset, addedOnly } = state);
      }
      const lookup = await source.catalog(caller, c.env.waitUntil, c.env.clientAddress);
      return answer(c, lookup, caller, `list:${caller.view}:${addedOnly}:${offset}:${limit}`, async () => {
        const rows = visibleRows(lookup.entry, caller, addedOnly);
        const items = rows.slice(offset, offset + limit);
        const more = offset + limit < rows.length;
        const next = more
          ? await issueCursor({ offset: offset + limit, addedOnly }, `${caller.id}:${caller.view}`, (t) => auth.sign(t))
          : null;
        return JSON.stringify({ items, pagination: { has_more: more, cursor: next } });
      });
    }),
  );

  app.get(
    "/v1/model_apis/:name",
    withCaller(true, async (c, caller) => {
      const raw = c.req.param("name") ?? "";
      let name: string;
      try {
        if (raw.length > MAX_NAME_LENGTH) throw new InvalidArgumentError("too long");
        name = assertPathSegment(raw, "name");
      } catch {
        return error(c, 400, 'Invalid Model API name: use a slug such as "llama-3-3-70b-instruct".');
      }
      // Query parameters are ignored, as Baseten ignores them; none reaches the memo key.
      const lookup = await source.catalog(caller, c.env.waitUntil, c.env.clientAddress);
      const row = visibleRows(lookup.entry, caller, false).find((model) => model.name === name);
      if (!row) return error(c, 404, `Model API not found: ${JSON.stringify(name)}.`);
      return answer(c, lookup, caller, `get:${caller.view}:${name}`, () => JSON.stringify(row));
    }),
  );

  registerModelRoutes(app, {
    auth,
    source,
    answer,
    waitUntil: (c) => c.env.waitUntil,
    clientAddress: (c) => c.env.clientAddress,
    log,
  });

  app.get(
    "/api/models/list",
    withCaller(true, async (c, caller) => {
      const url = new URL(c.req.url);
      const parsed = searchParams(url.searchParams);
      if (!parsed.ok) return error(c, 400, parsed.message);
      const lookup = await source.catalog(caller, c.env.waitUntil, c.env.clientAddress);
      // Features come from the inference model list; search still works (without them) if it fails.
      const models =
        caller.view === "public"
          ? null
          : await source.models(caller, c.env.waitUntil, c.env.clientAddress).catch(() => null);
      const variant = `search:${caller.view}:${models?.entry.hash ?? "-"}:${url.search}`;
      return answer(c, lookup, caller, variant, () => {
        try {
          return JSON.stringify(
            searchResponse(visibleRows(lookup.entry, caller, false), models?.entry.value ?? [], parsed.options),
          );
        } catch (thrown) {
          if (thrown instanceof InvalidArgumentError) throw new BadSearch(thrown.message);
          throw thrown;
        }
      });
    }),
  );

  app.notFound((c) => {
    const path = new URL(c.req.url).pathname;
    const route = ROUTES.find(([pattern]) => pattern.test(path));
    if (route) {
      const [, allow, protocol] = route;
      const message = `Method ${c.req.method} is not allowed here; use ${allow}.`;
      const answer = protocol ? protocol.error(405, message) : error(c, 405, message);
      answer.headers.set("allow", allow);
      return answer;
    }
    return error(c, 404, `No such route: ${clip(c.req.method)} ${clip(path)}.`);
  });

  app.onError((thrown, c) => {
    if (thrown instanceof BadSearch) return error(c, 400, thrown.message);
    log({ event: "internal_error", error: errorName(thrown) });
    return error(c, 500, "Internal gateway error.");
  });

  /** Maps an upstream failure to an answer: the caller's auth error, a 429, or a clear 503. */
  function upstreamFailure(c: Context<Env>, thrown: unknown): Response {
    if (thrown instanceof BadSearch) return error(c, 400, thrown.message);
    if (thrown instanceof UpstreamAuthError) return error(c, thrown.status, thrown.upstreamMessage);
    if (thrown instanceof LookupLimited) {
      c.header("retry-after", String(thrown.retryAfterSeconds));
      return error(c, 429, thrown.message);
    }
    if (thrown instanceof RateLimitError) {
      if (thrown.retryAfterMs !== null) c.header("retry-after", String(Math.ceil(thrown.retryAfterMs / 1000)));
      // Baseten's own words, as a drop-in passes them on (the status prefix is core's).
      const upstream = thrown.message.replace(/^\d+\s*/, "");
      return error(
        c,
        429,
        upstream && !upstream.startsWith("(") ? upstream : "Baseten rate-limited the catalog request; try again later.",
      );
    }
    log({ event: "upstream_error", error: errorName(thrown) });
    return error(c, 503, "The catalog is unavailable: Baseten did not answer and no cached copy is recent enough.");
  }

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
      await source.refresh(await auth.operatorCaller());
      log({ event: "refresh", ms: now() - started });
    },
  };
}

class BadSearch extends Error {}

/** The rows the caller may see: anonymous callers get no workspace details. */
function visibleRows(entry: Entry<unknown>, caller: Caller, addedOnly: boolean): ModelApi[] {
  const key = `rows:${caller.view}:${addedOnly}`;
  let rows = entry.rendered.get(key) as ModelApi[] | undefined;
  if (!rows) {
    rows = entry.value as ModelApi[];
    if (caller.view === "public") rows = rows.map(({ org_details: _, ...row }) => row);
    if (addedOnly) rows = rows.filter((row) => row.org_details);
    entry.rendered.set(key, rows);
  }
  return rows;
}

/** Answers in Baseten's documented error shape, `{"error": "<message>"}`. */
function error(c: Context<Env>, status: number, message: string): Response {
  return c.json({ error: message }, status as 400);
}

function errorName(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : "unknown error";
}
