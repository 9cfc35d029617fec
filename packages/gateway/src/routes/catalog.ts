// The catalog routes: GET /v1/model_apis (paged), /v1/model_apis/{name} and /api/models/list (search),
// answered from the caller's cached catalog through the HTTP caching layer.
import { InvalidArgumentError, type ModelApi } from "@baseten-edge/core";
import { assertPathSegment } from "@baseten-edge/core/internal";
import type { Context } from "hono";
import type { Authenticator, Caller } from "../auth.ts";
import type { CatalogSource } from "../catalog.ts";
import { issueCursor, readCursor } from "../cursor.ts";
import type { Answer, RenderMemo } from "../http-cache.ts";
import type { GatewayEvent } from "../options.ts";
import { searchParams, searchResponse } from "../search.ts";
import type { Entry } from "../tiered-cache.ts";
import { error, upstreamFailure } from "./errors.ts";
import type { Env, RouteTable } from "./table.ts";

export interface CatalogRouteDeps {
  auth: Authenticator;
  source: CatalogSource;
  answer: Answer;
  memo: RenderMemo;
  log: (event: GatewayEvent) => void;
}

type Handler = (c: Context<Env>, caller: Caller) => Promise<Response>;

const MAX_NAME_LENGTH = 256;
const TRUE = new Set(["true", "1", "yes", "on"]);
const FALSE = new Set(["false", "0", "no", "off"]);

export function registerCatalogRoutes(routes: RouteTable, deps: CatalogRouteDeps): void {
  routes.get(
    "/v1/model_apis",
    withCaller(deps, (c, caller) => listModelApis(c, caller, deps)),
  );
  routes.get(
    "/v1/model_apis/:name",
    withCaller(deps, (c, caller) => getModelApi(c, caller, deps)),
  );
  routes.get(
    "/api/models/list",
    withCaller(deps, (c, caller) => search(c, caller, deps)),
  );
}

/** Identifies the caller or answers 401; the handler runs only for known callers (anonymous allowed). */
function withCaller(deps: CatalogRouteDeps, handler: Handler) {
  return async (c: Context<Env>) => {
    const identified = await deps.auth.identify(c.req.raw, true, c.env.clientAddress);
    if (!identified.ok) {
      if (identified.retryAfterSeconds !== undefined) c.header("retry-after", String(identified.retryAfterSeconds));
      return error(c, identified.status, identified.message);
    }
    try {
      return await handler(c, identified.caller);
    } catch (thrown) {
      return upstreamFailure(c, thrown, deps.log);
    }
  };
}

/** The list's page: `limit`, `added_only` and a signed cursor; answered 400 when any is wrong. */
type Page = { limit: number; addedOnly: boolean; offset: number };

async function readPage(c: Context<Env>, caller: Caller, deps: CatalogRouteDeps): Promise<Page | string> {
  // Like Baseten, unknown parameters (cache busters, tracking tags) are ignored; only the known
  // ones below reach the memo key, so they never split the cache either.
  const query = new URL(c.req.url).searchParams;
  const limitText = query.get("limit") ?? "100";
  const limit = /^\d{1,4}$/.test(limitText) ? Number(limitText) : Number.NaN;
  if (!(limit >= 1 && limit <= 1000)) return "limit must be a whole number from 1 to 1000.";
  const addedText = query.get("added_only")?.toLowerCase();
  if (addedText !== undefined && !TRUE.has(addedText) && !FALSE.has(addedText)) {
    return "added_only must be true or false.";
  }
  const addedOnly = addedText !== undefined && TRUE.has(addedText);
  const cursor = query.get("cursor");
  if (!cursor) return { limit, addedOnly, offset: 0 };
  const state = await readCursor(cursor, `${caller.id}:${caller.view}`, (t) => deps.auth.sign(t));
  if (!state || (addedText !== undefined && state.addedOnly !== addedOnly)) {
    return "Invalid cursor: pass the cursor of the previous page, with the same key and filters.";
  }
  return { limit, addedOnly: state.addedOnly, offset: state.offset };
}

async function listModelApis(c: Context<Env>, caller: Caller, deps: CatalogRouteDeps): Promise<Response> {
  const page = await readPage(c, caller, deps);
  if (typeof page === "string") return error(c, 400, page);
  const { limit, addedOnly, offset } = page;
  const lookup = await deps.source.catalog(caller, c.env.waitUntil, c.env.clientAddress);
  return deps.answer(c, lookup, caller, `list:${caller.view}:${addedOnly}:${offset}:${limit}`, async () => {
    const rows = visibleRows(deps.memo, lookup.entry, caller, addedOnly);
    const items = rows.slice(offset, offset + limit);
    const more = offset + limit < rows.length;
    const next = more
      ? await issueCursor({ offset: offset + limit, addedOnly }, `${caller.id}:${caller.view}`, (t) =>
          deps.auth.sign(t),
        )
      : null;
    return JSON.stringify({ items, pagination: { has_more: more, cursor: next } });
  });
}

async function getModelApi(c: Context<Env>, caller: Caller, deps: CatalogRouteDeps): Promise<Response> {
  const raw = c.req.param("name") ?? "";
  let name: string;
  try {
    if (raw.length > MAX_NAME_LENGTH) throw new InvalidArgumentError("too long");
    name = assertPathSegment(raw, "name");
  } catch {
    return error(c, 400, 'Invalid Model API name: use a slug such as "llama-3-3-70b-instruct".');
  }
  // Query parameters are ignored, as Baseten ignores them; none reaches the memo key.
  const lookup = await deps.source.catalog(caller, c.env.waitUntil, c.env.clientAddress);
  const row = visibleRows(deps.memo, lookup.entry, caller, false).find((model) => model.name === name);
  if (!row) return error(c, 404, `Model API not found: ${JSON.stringify(name)}.`);
  return deps.answer(c, lookup, caller, `get:${caller.view}:${name}`, () => JSON.stringify(row));
}

async function search(c: Context<Env>, caller: Caller, deps: CatalogRouteDeps): Promise<Response> {
  const url = new URL(c.req.url);
  const parsed = searchParams(url.searchParams);
  if (!parsed.ok) return error(c, 400, parsed.message);
  const lookup = await deps.source.catalog(caller, c.env.waitUntil, c.env.clientAddress);
  // Features come from the inference model list; search still works (without them) if it fails.
  const models =
    caller.view === "public"
      ? null
      : await deps.source.models(caller, c.env.waitUntil, c.env.clientAddress).catch(() => null);
  const variant = `search:${caller.view}:${models?.entry.hash ?? "-"}:${url.search}`;
  const response = await deps.answer(c, lookup, caller, variant, () => {
    const rows = visibleRows(deps.memo, lookup.entry, caller, false);
    return JSON.stringify(searchResponse(rows, models?.entry.value ?? [], parsed.options));
  });
  // Without the model list it failed to load, every base_model_id is null and no item has features:
  // no cache may keep that answer, so the next request asks again.
  if (caller.view !== "public" && !models) response.headers.set("cache-control", "no-store");
  return response;
}

/** The rows the caller may see, derived once per entry: anonymous callers get no workspace details. */
export function visibleRows(
  memo: RenderMemo,
  entry: Entry<ModelApi[]>,
  caller: Caller,
  addedOnly: boolean,
): ModelApi[] {
  return memo.derived(entry, `rows:${caller.view}:${addedOnly}`, () => {
    let rows = entry.value;
    if (caller.view === "public") rows = rows.map(({ org_details: _, ...row }) => row);
    if (addedOnly) rows = rows.filter((row) => row.org_details);
    return rows;
  });
}
