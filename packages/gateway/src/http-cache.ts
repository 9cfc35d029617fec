// The HTTP caching layer: cache headers, per-caller ETags, 304s and a memo of rendered answers.
// It owns its memo (keyed by the cache's entry objects), so the tiered cache's entries stay plain data.
import type { Context } from "hono";
import type { Caller } from "./auth.ts";
import type { Entry, Lookup } from "./tiered-cache.ts";

// biome-ignore lint/suspicious/noExplicitAny: any gateway app; the layer reads only the request
type AnyContext = Context<any>;

/** What the layer memoises for one entry: values by key, and the characters of rendered bodies held. */
interface Memo {
  values: Map<string, unknown>;
  size: number;
}

/** Sends a memoised rendering with the cache headers and ETag, or a 304 when the caller has it. */
export type Answer = (
  c: AnyContext,
  lookup: Lookup<unknown>,
  caller: Caller,
  variant: string,
  render: () => Promise<string> | string,
) => Promise<Response>;

export interface HttpCacheOptions {
  /** HMAC with the gateway's secret (the ETags are signed per caller). */
  sign(text: string): Promise<string>;
  freshMs: number;
  now(): number;
}

/** How much rendered text an entry may memoise: twice its own size, at least 64 K characters. */
export function renderBudget(entry: Entry<unknown>): number {
  return Math.max(2 * entry.size, 65_536);
}

/**
 * The memo lives as long as the entry object: a refreshed entry is a new object with an empty memo,
 * and a dropped entry takes its memo with it (weakly held).
 */
export class RenderMemo {
  readonly #memos = new WeakMap<Entry<unknown>, Memo>();

  #of(entry: Entry<unknown>): Memo {
    let memo = this.#memos.get(entry);
    if (!memo) {
      memo = { values: new Map(), size: 0 };
      this.#memos.set(entry, memo);
    }
    return memo;
  }

  /** A value derived from the entry (such as the rows one view sees), computed once per entry. */
  derived<T>(entry: Entry<unknown>, key: string, compute: () => T): T {
    const { values } = this.#of(entry);
    if (values.has(key)) return values.get(key) as T;
    const value = compute();
    values.set(key, value);
    return value;
  }

  /** A rendering held earlier for `variant`, if any (`R`: what its keeper stored with the body). */
  rendered<R extends { body: string } = { body: string; etag: string }>(
    entry: Entry<unknown>,
    variant: string,
  ): R | undefined {
    return this.#memos.get(entry)?.values.get(`render:${variant}`) as R | undefined;
  }

  /** Keeps a rendering while the entry's renderings stay within `renderBudget`. */
  keep(entry: Entry<unknown>, variant: string, rendering: { body: string }): void {
    const memo = this.#of(entry);
    if (memo.size + rendering.body.length > renderBudget(entry)) return;
    memo.values.set(`render:${variant}`, rendering);
    memo.size += rendering.body.length;
  }
}

/** A memoised answer: its bytes, ETag, and the headers last built for it (rebuilt when the age changes). */
interface Rendering {
  body: string;
  bytes: Uint8Array<ArrayBuffer>;
  etag: string;
  ready?: { age: number; status: string; view: string; headers: Record<string, string> };
}

/**
 * Creates the `answer` the catalog and model routes send through. Renderings are memoised per entry
 * up to `renderBudget`, as bytes with their headers, so a hit builds one Response from ready parts,
 * while callers varying `limit` cannot grow the memo past a small multiple of the catalog's own size.
 * A refreshed entry is a new object: its renderings start again.
 */
export function createAnswer(memo: RenderMemo, options: HttpCacheOptions): Answer {
  return async (c, lookup, caller, variant, render) => {
    const { entry } = lookup;
    let rendering = memo.rendered<Rendering>(entry, variant);
    if (!rendering) {
      // Keyed by the caller's id (the HMAC of their key), never the bare content hash: tenants with
      // equal catalogs get different ETags, so a tag tells nothing about another tenant's catalog.
      // Everyone sharing an entry shares its id (entries are stored per id), so the memo stays valid.
      const body = await render();
      const etag = `"${await options.sign(`etag:${caller.id}:${entry.hash}:${variant}`)}"`;
      rendering = { body, bytes: new TextEncoder().encode(body), etag };
      memo.keep(entry, variant, rendering);
    }
    const headers = readyHeaders(rendering, lookup, caller, options);
    if (matches(c.req.raw.headers.get("if-none-match") ?? undefined, rendering.etag)) {
      const { "content-type": _, ...notModified } = headers;
      return new Response(null, { status: 304, headers: notModified });
    }
    return new Response(rendering.bytes, { headers });
  };
}

/** The answer's headers, built once per rendering and age (in seconds), cache status and view. */
function readyHeaders(
  rendering: Rendering,
  lookup: Lookup<unknown>,
  caller: Caller,
  options: HttpCacheOptions,
): Record<string, string> {
  const age = Math.max(0, Math.floor((options.now() - lookup.entry.fetchedAt) / 1000));
  const { ready } = rendering;
  if (ready && ready.age === age && ready.status === lookup.status && ready.view === caller.view) return ready.headers;
  const maxAge = Math.max(0, Math.floor(options.freshMs / 1000) - age);
  const headers = {
    "content-type": "application/json",
    "x-cache": lookup.status,
    age: String(age),
    "cache-control": `${caller.view === "public" ? "public" : "private"}, max-age=${maxAge}`,
    vary: "Authorization, X-Api-Key",
    etag: rendering.etag,
  };
  rendering.ready = { age, status: lookup.status, view: caller.view, headers };
  return headers;
}

/** Whether `If-None-Match` names the tag (weak or strong). */
function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  return ifNoneMatch?.split(",").some((tag) => tag.trim().replace(/^W\//, "") === etag) ?? false;
}
