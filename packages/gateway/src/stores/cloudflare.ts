// CatalogStore adapters for Cloudflare Workers: the per-colo Cache API and the global KV namespace.
import type { CatalogStore, EntryMetadata, StoredEntry } from "../store.ts";

/**
 * The origin of the synthetic URLs the Cache API files entries under. `.invalid` can never
 * resolve, so the URL cannot be mistaken for (or collide with) a real page of the zone.
 */
export const CACHE_ORIGIN = "https://catalog.cache.invalid";

/** KV refuses an `expirationTtl` below 60 seconds. */
export const KV_MIN_TTL_SECONDS = 60;

/**
 * The part of a Workers `KVNamespace` binding the store uses. Declared here so the gateway compiles
 * without the Workers types; a real binding (`env.CATALOG_KV`) satisfies it as is.
 */
export interface KvNamespace {
  getWithMetadata<Metadata>(key: string, type: "text"): Promise<{ value: string | null; metadata: Metadata | null }>;
  put(key: string, value: string, options: { metadata: unknown; expirationTtl: number }): Promise<void>;
  delete(key: string): Promise<void>;
}

const FETCHED_AT = "x-catalog-fetched-at";
const HASH = "x-catalog-hash";

/**
 * Stores entries in the Workers Cache API as Responses. The URL carries the gateway's opaque key
 * and nothing else; the metadata travels in headers and `Cache-Control: max-age` is the TTL.
 *
 * @example
 * ```ts
 * import { cacheApiStore } from "@baseten-edge/gateway/stores/cloudflare";
 * // In a Worker: `caches.default`, the zone's cache; `caches.open(name)` works in every runtime.
 * const store = cacheApiStore(await caches.open("catalog"));
 * ```
 */
export function cacheApiStore(cache: Cache): CatalogStore {
  const url = (key: string) => `${CACHE_ORIGIN}/${encodeURIComponent(key)}`;
  return {
    name: "cache-api",
    async get(key) {
      const response = await cache.match(url(key));
      if (!response) return null;
      const metadata = parseMetadata(Number(response.headers.get(FETCHED_AT)), response.headers.get(HASH));
      // An entry whose headers were lost or mangled is a miss, not a guess at its age.
      if (!metadata) {
        await response.body?.cancel();
        return null;
      }
      return { value: await response.text(), metadata };
    },
    async put(key, entry, ttlSeconds) {
      const maxAge = Math.floor(ttlSeconds);
      // max-age=0 would not be kept anyway; dropping the old entry keeps "ttl 0" meaning "gone".
      if (!(maxAge > 0)) return void (await cache.delete(url(key)));
      const response = new Response(entry.value, {
        headers: {
          "content-type": "application/json",
          "cache-control": `max-age=${maxAge}`,
          [FETCHED_AT]: String(entry.metadata.fetchedAt),
          [HASH]: entry.metadata.hash,
        },
      });
      await cache.put(url(key), response);
    },
    async delete(key) {
      await cache.delete(url(key));
    },
  };
}

/**
 * Stores entries in a KV namespace, the metadata in KV's own metadata slot. TTLs under KV's
 * 60-second minimum are raised to it: the gateway judges age from `fetchedAt`, not from the tier.
 *
 * @example
 * ```ts
 * import { type KvNamespace, kvStore } from "@baseten-edge/gateway/stores/cloudflare";
 * export default { fetch: (_req: Request, env: { CATALOG_KV: KvNamespace }) => kvStore(env.CATALOG_KV).get("k").then(() => new Response()) };
 * ```
 */
export function kvStore(kv: KvNamespace): CatalogStore {
  return {
    name: "kv",
    async get(key) {
      const { value, metadata } = await kv.getWithMetadata<Partial<EntryMetadata>>(key, "text");
      if (value === null) return null;
      const parsed = parseMetadata(metadata?.fetchedAt, metadata?.hash);
      return parsed ? { value, metadata: parsed } : null;
    },
    async put(key, entry: StoredEntry, ttlSeconds) {
      const expirationTtl = Math.max(KV_MIN_TTL_SECONDS, Math.ceil(ttlSeconds));
      await kv.put(key, entry.value, { metadata: entry.metadata, expirationTtl });
    },
    async delete(key) {
      await kv.delete(key);
    },
  };
}

/** The metadata both tiers keep next to a value, or null when it is missing or malformed. */
function parseMetadata(fetchedAt: unknown, hash: unknown): EntryMetadata | null {
  if (typeof fetchedAt !== "number" || !Number.isFinite(fetchedAt) || fetchedAt <= 0) return null;
  if (typeof hash !== "string" || hash === "") return null;
  return { fetchedAt, hash };
}
