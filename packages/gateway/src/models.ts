// GET /v1/models and GET /v1/models/{id}: the cached inference model list, in OpenAI's shape or, for
// Anthropic's clients, in Anthropic's (paged with limit / after_id / before_id).
import { type InferenceModel, RateLimitError } from "@baseten-edge/core";
import type { Context } from "hono";
import { type Authenticator, type Caller, retryAfter } from "./auth.ts";
import { type CatalogSource, UpstreamAuthError } from "./catalog.ts";
import { clip } from "./echo.ts";
import type { Answer } from "./http-cache.ts";
import { LookupLimited } from "./lookup-budget.ts";
import { anthropic, openai, type Protocol } from "./relay/protocols.ts";
import type { RouteTable } from "./routes/table.ts";
import type { Lookup } from "./tiered-cache.ts";

// biome-ignore lint/suspicious/noExplicitAny: the gateway's Hono env is opaque to this module
type AnyContext = Context<any>;
type WaitUntil = ((promise: Promise<unknown>) => void) | undefined;

export interface ModelRouteDeps {
  auth: Authenticator;
  source: CatalogSource;
  /** Sends a memoised rendering with the cache headers and ETag (or a 304). */
  answer: Answer;
  waitUntil(c: AnyContext): WaitUntil;
  /** The client's address, which a never-seen key's first look-up is charged to. */
  clientAddress(c: AnyContext): string | undefined;
  log(event: { event: string; [key: string]: unknown }): void;
}

const ANTHROPIC_DEFAULT_LIMIT = 20;
const MAX_ID_LENGTH = 256;

/**
 * Anthropic's SDKs always send `anthropic-version`; `x-api-key` is their way to send the key.
 * Either marks the caller as an Anthropic client, whose answers take Anthropic's shapes.
 */
export function isAnthropicClient(request: Request): boolean {
  return request.headers.has("anthropic-version") || request.headers.has("x-api-key");
}

/** The caller's protocol: Anthropic's for an Anthropic client, else OpenAI's. */
const callersProtocol = (request: Request) => (isAnthropicClient(request) ? anthropic : openai);

export function registerModelRoutes(routes: RouteTable, deps: ModelRouteDeps): void {
  routes.get(
    "/v1/models",
    (c) => withModels(c, deps, (lookup, caller, protocol) => list(c, deps, lookup, caller, protocol)),
    callersProtocol,
  );
  // `{id}` holds a slash (`openai/gpt-oss-120b`), sent raw or as %2F; Hono matches the decoded path,
  // so the pattern takes any character (a `.` would let an encoded newline fall through to a 405).
  routes.get(
    "/v1/models/:id{[\\s\\S]+}",
    (c) =>
      withModels(c, deps, (lookup, caller, protocol) => {
        const raw = new URL(c.req.url).pathname.slice("/v1/models/".length);
        let id: string;
        try {
          id = decodeURIComponent(raw);
        } catch {
          return Promise.resolve(protocol.error(400, "The model id is not valid percent-encoding."));
        }
        return retrieve(c, deps, lookup, caller, protocol, id);
      }),
    callersProtocol,
  );
}

/** Identifies the caller and loads their model list; every failure is answered in the caller's protocol. */
async function withModels(
  c: AnyContext,
  deps: ModelRouteDeps,
  handler: (lookup: Lookup<InferenceModel[]>, caller: Caller, protocol: Protocol) => Promise<Response>,
): Promise<Response> {
  const protocol = callersProtocol(c.req.raw);
  const identified = await deps.auth.identify(c.req.raw, false, deps.clientAddress(c));
  if (!identified.ok) {
    const response = protocol.error(identified.status, identified.message);
    for (const [name, value] of retryAfter(identified) ?? []) response.headers.set(name, value);
    return response;
  }
  let lookup: Lookup<InferenceModel[]>;
  try {
    lookup = await deps.source.models(identified.caller, deps.waitUntil(c), deps.clientAddress(c));
  } catch (thrown) {
    return loadFailure(protocol, thrown, deps);
  }
  const response = await handler(lookup, identified.caller, protocol);
  // The shape depends on these headers too, so shared caches must keep the variants apart.
  response.headers.set("vary", "Authorization, X-Api-Key, Anthropic-Version");
  return response;
}

function loadFailure(protocol: Protocol, thrown: unknown, deps: ModelRouteDeps): Response {
  if (thrown instanceof UpstreamAuthError) return protocol.error(thrown.status, thrown.upstreamMessage);
  if (thrown instanceof LookupLimited) {
    const response = protocol.error(429, thrown.message);
    response.headers.set("retry-after", String(thrown.retryAfterSeconds));
    return response;
  }
  if (thrown instanceof RateLimitError) {
    const response = protocol.error(429, "Baseten rate-limited the model list request; try again later.");
    if (thrown.retryAfterMs !== null)
      response.headers.set("retry-after", String(Math.ceil(thrown.retryAfterMs / 1000)));
    return response;
  }
  deps.log({
    event: "upstream_error",
    error: thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : "unknown",
  });
  return protocol.error(
    503,
    "The model list is unavailable: Baseten did not answer and no cached copy is recent enough.",
  );
}

function list(
  c: AnyContext,
  deps: ModelRouteDeps,
  lookup: Lookup<InferenceModel[]>,
  caller: Caller,
  protocol: Protocol,
): Promise<Response> {
  if (protocol !== anthropic) {
    return deps.answer(c, lookup, caller, "models", () => JSON.stringify({ object: "list", data: lookup.entry.value }));
  }
  const query = new URL(c.req.url).searchParams;
  const page = anthropicPage(lookup.entry.value, query);
  if (!page.ok) return Promise.resolve(anthropic.error(400, page.message));
  const variant = `models:anthropic:${page.limit}:${query.get("after_id") ?? ""}:${query.get("before_id") ?? ""}`;
  return deps.answer(c, lookup, caller, variant, () => JSON.stringify(page.body));
}

function retrieve(
  c: AnyContext,
  deps: ModelRouteDeps,
  lookup: Lookup<InferenceModel[]>,
  caller: Caller,
  protocol: Protocol,
  id: string,
): Promise<Response> {
  const wanted = id.toLowerCase();
  const model = id.length <= MAX_ID_LENGTH ? lookup.entry.value.find((m) => m.id.toLowerCase() === wanted) : undefined;
  if (!model) {
    const message = `The model ${JSON.stringify(clip(id))} does not exist or is not available to this key.`;
    return Promise.resolve(protocol.error(404, message, "model_not_found"));
  }
  const variant = `model:${protocol.name}:${model.id}`;
  return deps.answer(c, lookup, caller, variant, () =>
    JSON.stringify(protocol === anthropic ? anthropicModel(model) : model),
  );
}

/** Anthropic's `ModelInfo`. */
function anthropicModel(model: InferenceModel) {
  return {
    type: "model",
    id: model.id,
    display_name: model.name ?? model.id,
    created_at: new Date(model.created * 1000).toISOString().replace(/\.000Z$/, "Z"),
  };
}

type Page =
  | {
      ok: true;
      limit: number;
      body: { data: unknown[]; has_more: boolean; first_id: string | null; last_id: string | null };
    }
  | { ok: false; message: string };

/**
 * One page of Anthropic's model list: newest first (as Anthropic lists), `limit` 1–1000 (default
 * 20), after `after_id` or before `before_id`.
 */
export function anthropicPage(models: readonly InferenceModel[], query: URLSearchParams): Page {
  const limitText = query.get("limit") ?? String(ANTHROPIC_DEFAULT_LIMIT);
  const limit = /^\d{1,4}$/.test(limitText) ? Number(limitText) : Number.NaN;
  if (!(limit >= 1 && limit <= 1000)) return { ok: false, message: "limit: must be a whole number from 1 to 1000" };
  const after = query.get("after_id");
  const before = query.get("before_id");
  if (after !== null && before !== null) return { ok: false, message: "Send after_id or before_id, not both." };
  const sorted = [...models].sort((a, b) => b.created - a.created || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const cursor = after ?? before;
  let start = 0;
  let end = sorted.length;
  if (cursor !== null) {
    const at = sorted.findIndex((m) => m.id === cursor);
    if (at < 0)
      return {
        ok: false,
        message: `${after !== null ? "after_id" : "before_id"}: no model ${JSON.stringify(clip(cursor))} in this list.`,
      };
    if (after !== null) start = at + 1;
    else end = at;
  }
  const slice = before !== null ? sorted.slice(Math.max(start, end - limit), end) : sorted.slice(start, start + limit);
  const hasMore = before !== null ? end - limit > start : start + limit < end;
  return {
    ok: true,
    limit,
    body: {
      data: slice.map(anthropicModel),
      has_more: hasMore,
      first_id: slice[0]?.id ?? null,
      last_id: slice.at(-1)?.id ?? null,
    },
  };
}
