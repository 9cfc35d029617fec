// The Cache API and KV adapters keep what the gateway puts, as the gateway put it.
import { env } from "cloudflare:workers";
import { CACHE_ORIGIN, cacheApiStore, kvStore } from "@baseten-edge/gateway/stores/cloudflare";
import { describe, expect, it } from "vitest";

const entry = {
  value: JSON.stringify([{ name: "deepseek-v4-pro" }]),
  metadata: { fetchedAt: 1_780_000_000_000, hash: "abc123" },
};
let counter = 0;
/** Each test gets its own key, so no test depends on another's leftovers. */
const newKey = () => `k${Date.now().toString(36)}${counter++}`;

/** A real Cache that also remembers the URLs it was asked about. */
function recordingCache(cache: Cache): { cache: Cache; urls: string[] } {
  const urls: string[] = [];
  const seen = (request: RequestInfo | URL) => urls.push(request instanceof Request ? request.url : String(request));
  return {
    urls,
    cache: {
      match: (request, options) => {
        seen(request);
        return cache.match(request, options);
      },
      put: (request, response) => {
        seen(request);
        return cache.put(request, response);
      },
      delete: (request, options) => {
        seen(request);
        return cache.delete(request, options);
      },
    },
  };
}

describe.each([
  { name: "cacheApiStore", open: () => cacheApiStore(caches.default) },
  { name: "kvStore", open: () => kvStore(env.CATALOG_KV) },
])("$name, like every CatalogStore,", ({ open }) => {
  it("returns what was put, value and metadata alike", async () => {
    const store = open();
    const key = newKey();
    await store.put(key, entry, 300);
    expect(await store.get(key)).toEqual(entry);
  });

  it("answers null for a key never stored", async () => {
    expect(await open().get(newKey())).toBeNull();
  });

  it("forgets an entry once deleted", async () => {
    const store = open();
    const key = newKey();
    await store.put(key, entry, 300);
    await store.delete?.(key);
    expect(await store.get(key)).toBeNull();
  });
});

describe("cacheApiStore", () => {
  it("files the entry under a URL made of the opaque key alone, with the TTL as max-age", async () => {
    const { cache, urls } = recordingCache(caches.default);
    const key = newKey();
    await cacheApiStore(cache).put(key, entry, 86_400);
    await cacheApiStore(cache).get(key);
    expect(urls).toEqual([`${CACHE_ORIGIN}/${key}`, `${CACHE_ORIGIN}/${key}`]);
    const cached = await caches.default.match(`${CACHE_ORIGIN}/${key}`);
    expect(cached?.headers.get("cache-control")).toBe("max-age=86400");
  });

  it("escapes keys so that they cannot add path segments or a query", async () => {
    const { cache, urls } = recordingCache(caches.default);
    await cacheApiStore(cache).get("a/b?c#d");
    expect(urls).toEqual([`${CACHE_ORIGIN}/a%2Fb%3Fc%23d`]);
  });

  it("treats an entry without its metadata headers as a miss", async () => {
    const key = newKey();
    await caches.default.put(
      `${CACHE_ORIGIN}/${key}`,
      new Response("[]", { headers: { "cache-control": "max-age=60" } }),
    );
    expect(await cacheApiStore(caches.default).get(key)).toBeNull();
  });

  it("does not keep an entry given no time to live", async () => {
    const store = cacheApiStore(caches.default);
    const key = newKey();
    await store.put(key, entry, 300);
    await store.put(key, entry, 0);
    expect(await store.get(key)).toBeNull();
  });
});

describe("kvStore", () => {
  it("sets the entry's expiration from the TTL", async () => {
    const key = newKey();
    const before = Math.floor(Date.now() / 1000);
    await kvStore(env.CATALOG_KV).put(key, entry, 3_600);
    const { keys } = await env.CATALOG_KV.list({ prefix: key });
    expect(keys).toHaveLength(1);
    expect(keys[0]?.expiration).toBeGreaterThanOrEqual(before + 3_600);
    expect(keys[0]?.expiration).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000) + 3_600);
  });

  it("raises a TTL below KV's 60-second minimum instead of failing the write", async () => {
    const key = newKey();
    const before = Math.floor(Date.now() / 1000);
    await kvStore(env.CATALOG_KV).put(key, entry, 5);
    const { keys } = await env.CATALOG_KV.list({ prefix: key });
    expect(keys[0]?.expiration).toBeGreaterThanOrEqual(before + 60);
  });

  it("treats a value without the gateway's metadata as a miss", async () => {
    const key = newKey();
    await env.CATALOG_KV.put(key, "[]", { metadata: { fetchedAt: "yesterday" } });
    expect(await kvStore(env.CATALOG_KV).get(key)).toBeNull();
  });
});
