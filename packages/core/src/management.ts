// The management client: the Model API catalog, typed from openapi/baseten/management.json (the paths core wraps).
import createClient, { type Client } from "openapi-fetch";
import { BasetenError, InvalidArgumentError } from "./errors.ts";
import type { paths } from "./generated/management.ts";
import { type ClientOptions, resolveOptions } from "./options.ts";
import { assertPathSegment } from "./path-segment.ts";
import type { ModelApi, ModelApisPage } from "./types.ts";
import { unwrap } from "./unwrap.ts";

/** Filters for the catalog list. */
export interface ListOptions {
  /** Only the Model APIs the caller's workspace has added (default false). */
  addedOnly?: boolean;
  /** Rows per page, 1..1000 (the upstream's default is 100). */
  limit?: number;
  signal?: AbortSignal;
}

export interface ListPageOptions extends ListOptions {
  /** The opaque cursor of the previous page; omit (or pass null) for the first page. */
  cursor?: string | null;
}

export interface BasetenClient {
  modelApis: {
    /** Every Model API, page after page; the next page is requested only when it is needed. */
    list(options?: ListOptions): AsyncIterable<ModelApi>;
    /** One page and its pagination. */
    listPage(options?: ListPageOptions): Promise<ModelApisPage>;
    /** One Model API by its name (slug). Unsafe names are refused before any request. */
    get(name: string, options?: { signal?: AbortSignal }): Promise<ModelApi>;
  };
  /** The typed openapi-fetch client, for any path in the management spec. */
  raw: Client<paths>;
}

/**
 * Creates a client for Baseten's management API (the Model API catalog).
 *
 * @example
 * ```ts
 * import { createBasetenClient } from "@baseten-edge/core";
 *
 * const baseten = createBasetenClient({ apiKey: "YOUR_API_KEY" });
 * for await (const model of baseten.modelApis.list({ limit: 500 })) {
 *   console.log(model.name, model.cost_per_million_output_tokens);
 * }
 * const llama = await baseten.modelApis.get("llama-3-3-70b-instruct");
 * console.log(llama.context_length);
 * ```
 */
export function createBasetenClient(options: ClientOptions): BasetenClient {
  const raw = createClient<paths>(resolveOptions(options, "https://api.baseten.co"));

  async function listPage(page: ListPageOptions = {}): Promise<ModelApisPage> {
    const query: { limit?: number; added_only?: boolean; cursor?: string } = {};
    if (page.limit !== undefined) query.limit = checkLimit(page.limit);
    if (page.addedOnly !== undefined) query.added_only = Boolean(page.addedOnly);
    if (page.cursor) query.cursor = page.cursor; // a first page sends no cursor at all
    const answer = await raw.GET("/v1/model_apis", { params: { query }, parseAs: "text", signal: page.signal ?? null });
    // `has_more` is required: a page without it must not silently end the list.
    return unwrap(
      answer,
      (body) => Array.isArray(body.items) && typeof (body.pagination as Page)?.has_more === "boolean",
    );
  }

  async function* list(filters: ListOptions = {}): AsyncGenerator<ModelApi> {
    let cursor: string | null = null;
    // No cursor, or one sent before, would end the list early (truncated) or loop forever.
    const seen = new Set([cursor, ""]);
    for (;;) {
      const page: ModelApisPage = await listPage({ ...filters, cursor });
      yield* page.items;
      if (!page.pagination.has_more) return;
      cursor = page.pagination.cursor ?? null;
      if (seen.has(cursor)) throw new BasetenError("Baseten sent has_more without a new cursor.");
      seen.add(cursor);
    }
  }

  async function get(name: string, options: { signal?: AbortSignal } = {}): Promise<ModelApi> {
    const model_api_name = assertPathSegment(name, "Model API name");
    const path = { model_api_name };
    const answer = await raw.GET("/v1/model_apis/{model_api_name}", {
      params: { path },
      parseAs: "text",
      signal: options.signal ?? null,
    });
    return unwrap(answer);
  }

  return { modelApis: { list, listPage, get }, raw };
}

type Page = { has_more?: unknown } | undefined;

function checkLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw new InvalidArgumentError(`limit must be a whole number from 1 to 1000, got ${limit}.`);
  }
  return limit;
}
