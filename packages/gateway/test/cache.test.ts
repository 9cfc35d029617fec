import { describe, expect, it } from "vitest";
import { createGateway, memoryStore } from "../src/index.ts";
import type { CatalogStore } from "../src/store.ts";
import { type Loader, TieredCache } from "../src/tiered-cache.ts";
import { harness, SALT, spyStore } from "./helpers.ts";

describe("cache states", () => {
  it("goes MISS → HIT → STALE → HIT, refreshing in the background", async () => {
    const h = harness({ freshSeconds: 60, maxStaleSeconds: 3600 });
    expect((await h.get("/v1/model_apis")).headers.get("x-cache")).toBe("MISS");
    h.clock.advance(30);
    expect((await h.get("/v1/model_apis")).headers.get("x-cache")).toBe("HIT");
    expect(h.upstreamCalls("/v1/model_apis")).toBe(1);
    h.clock.advance(31);
    const stale = await h.get("/v1/model_apis");
    expect(stale.headers.get("x-cache")).toBe("STALE");
    expect(stale.headers.get("age")).toBe("61");
    await h.settle();
    expect(h.upstreamCalls("/v1/model_apis")).toBe(2);
    const refreshed = await h.get("/v1/model_apis");
    expect(refreshed.headers.get("x-cache")).toBe("HIT");
    expect(refreshed.headers.get("age")).toBe("0");
  });

  it("answers REVALIDATED when an expired entry is reloaded unchanged", async () => {
    const h = harness({ freshSeconds: 60, maxStaleSeconds: 120 });
    await h.get("/v1/model_apis");
    h.clock.advance(121);
    const response = await h.get("/v1/model_apis");
    expect(response.headers.get("x-cache")).toBe("REVALIDATED");
    expect(h.upstreamCalls("/v1/model_apis")).toBe(2);
  });

  it("sends Cache-Control, Age, ETag and Vary on cached answers", async () => {
    const h = harness({ freshSeconds: 60 });
    await h.get("/v1/model_apis");
    h.clock.advance(20);
    const response = await h.get("/v1/model_apis");
    expect(response.headers.get("cache-control")).toBe("private, max-age=40");
    expect(response.headers.get("age")).toBe("20");
    expect(response.headers.get("etag")).toMatch(/^"[\w-]{22}"$/);
    expect(response.headers.get("vary")).toMatch(/Authorization/);
  });

  it("answers 304 to If-None-Match with the current ETag, and 200 after the catalog changes", async () => {
    const h = harness({ freshSeconds: 60 });
    const first = await h.get("/v1/model_apis?limit=5");
    const etag = first.headers.get("etag")!;
    const again = await h.get("/v1/model_apis?limit=5", "emulator-key", { "if-none-match": etag });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");
    // Baseten changes one description; the next refresh brings it in.
    const { items } = (await first.json()) as { items: { description: string }[] };
    items[0]!.description = "Now with a longer context.";
    const changed = JSON.stringify({ items, pagination: { has_more: false, cursor: null } });
    h.upstream.answer = (request) =>
      new URL(request.url).pathname === "/v1/model_apis"
        ? new Response(changed, { headers: { "content-type": "application/json" } })
        : undefined;
    h.clock.advance(61);
    await h.get("/v1/model_apis?limit=5");
    await h.settle();
    const after = await h.get("/v1/model_apis?limit=5", "emulator-key", { "if-none-match": etag });
    expect(after.status).toBe(200);
    expect(after.headers.get("x-cache")).toBe("HIT");
    expect(((await after.json()) as { items: { description: string }[] }).items[0]?.description).toBe(
      "Now with a longer context.",
    );
    const newTag = after.headers.get("etag")!;
    expect(newTag).not.toBe(etag);
    expect((await h.get("/v1/model_apis?limit=5", "emulator-key", { "if-none-match": newTag })).status).toBe(304);
  });

  it("gives tenants with equal catalogs different ETags, so one tenant's tag never earns another a 304", async () => {
    const h = harness({}, { workspaces: [{ keys: ["key-a", "key-b"] }] });
    for (const path of ["/v1/model_apis?limit=1000", "/v1/models", "/v1/model_apis/gpt-oss-120b", "/api/models/list"]) {
      const a = await h.get(path, "key-a");
      const b = await h.get(path, "key-b");
      expect(await a.text()).toBe(await b.text()); // the same content…
      const tagA = a.headers.get("etag")!;
      const tagB = b.headers.get("etag")!;
      expect(tagA).not.toBe(tagB); // …under different tags
      expect((await h.get(path, "key-b", { "if-none-match": tagA })).status).toBe(200);
      expect((await h.get(path, "key-b", { "if-none-match": tagB })).status).toBe(304);
      expect((await h.get(path, "key-a", { "if-none-match": `W/${tagA}` })).status).toBe(304);
    }
  });

  it("makes exactly one upstream request for 100 concurrent cold requests", async () => {
    const h = harness();
    const responses = await Promise.all(Array.from({ length: 100 }, () => h.get("/v1/model_apis?limit=3")));
    expect(responses.every((r) => r.status === 200)).toBe(true);
    expect(h.upstreamCalls("/v1/model_apis")).toBe(1);
  });

  it("does not load again for a request whose store look-up ended after the first load finished", async () => {
    // The first look-up of the stores answers at once; the second is held until the load is done.
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let lookups = 0;
    const slowStore: CatalogStore = {
      name: "slow",
      get: async () => {
        if (++lookups === 2) await held;
        return null;
      },
      put: async () => {},
    };
    const cache = new TieredCache({
      stores: [slowStore],
      freshMs: 60_000,
      maxStaleMs: 3_600_000,
      memoryBudget: 1_000_000,
      now: () => 0,
      retryRefreshAfterMs: 10_000,
      onStoreError: () => {},
      onRefreshError: () => {},
    });
    let loads = 0;
    const load = async () => {
      loads++;
      return ["row"];
    };
    const first = cache.get("catalog:x", load, () => {});
    const second = cache.get("catalog:x", load, () => {});
    await first;
    release();
    expect((await second).status).toBe("HIT");
    expect(loads).toBe(1);
  });

  it("serves another isolate from the shared store without calling the upstream", async () => {
    const store = memoryStore();
    const first = harness({ stores: [store] });
    await first.get("/v1/model_apis");
    await first.settle();
    const second = createGateway({
      auth: { mode: "pass-through" },
      cacheSalt: SALT,
      stores: [store],
      fetch: () => Promise.reject(new Error("must not be called")),
      now: () => first.clock.now,
    });
    const response = await second.fetch(
      new Request("http://g/v1/model_apis", { headers: { authorization: "Bearer emulator-key" } }),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("x-cache")).toBe("HIT");
  });

  it("promotes an entry found in a slower store to the faster ones", async () => {
    const fast = spyStore("fast");
    const slow = spyStore("slow");
    const first = harness({ stores: [slow] });
    await first.get("/v1/model_apis");
    await first.settle();
    const second = harness({ stores: [fast, slow], now: () => first.clock.now });
    await second.get("/v1/model_apis");
    await second.settle();
    expect(second.upstreamCalls("/v1/model_apis")).toBe(0);
    expect([...fast.entries.keys()]).toEqual([...slow.entries.keys()]);
  });

  it.each([
    ["an object (another shape)", { items: [], pagination: { has_more: false } }],
    ["an array with a row that is not an object", [{ name: "a" }, null]],
    ["a string", "rows"],
  ])("reloads a stored catalog that is %s instead of serving it, and says why", async (_, value) => {
    const store = spyStore();
    const first = harness({ stores: [store] });
    await first.get("/v1/model_apis");
    await first.settle();
    const [key, stored] = [...store.entries].find(([k]) => k.startsWith("catalog:"))!;
    store.entries.set(key, { ...stored, value: JSON.stringify(value) });
    const second = harness({ stores: [store], now: () => first.clock.now });
    const response = await second.get("/v1/model_apis");
    expect(response.status).toBe(200);
    expect(response.headers.get("x-cache")).toBe("MISS");
    expect(((await response.json()) as { items: unknown[] }).items.length).toBeGreaterThan(0);
    expect(second.events).toContainEqual({
      event: "store_error",
      store: "spy",
      operation: "check",
      error: "UnreadableEntryError",
    });
  });

  it("stores entries for as long as they may be served stale", async () => {
    const store = spyStore();
    const h = harness({ stores: [store], maxStaleSeconds: 7200 });
    await h.get("/v1/model_apis");
    await h.settle();
    expect(store.ttls).toEqual([7200]);
  });
});

describe("upstream outages", () => {
  it("serves the stale catalog through the whole staleness window, then a clear 503, then recovers", async () => {
    const h = harness({ freshSeconds: 60, maxStaleSeconds: 600 });
    const original = await (await h.get("/v1/model_apis")).text();
    h.upstream.down = true;
    for (const step of [61, 100, 200, 238]) {
      h.clock.advance(step);
      const response = await h.get("/v1/model_apis");
      await h.settle();
      expect(response.status).toBe(200);
      expect(response.headers.get("x-cache")).toBe("STALE");
      expect(await response.text()).toBe(original);
    }
    h.clock.advance(2); // 601 s old: past the maximum staleness
    const expired = await h.get("/v1/model_apis");
    expect(expired.status).toBe(503);
    expect(await expired.json()).toEqual({ error: expect.stringMatching(/catalog is unavailable/) });
    h.upstream.down = false;
    const recovered = await h.get("/v1/model_apis");
    expect(recovered.status).toBe(200);
    expect(recovered.headers.get("x-cache")).toBe("REVALIDATED");
  });

  it("answers 503 when the upstream is down and nothing is cached", async () => {
    const h = harness();
    h.upstream.down = true;
    const response = await h.get("/v1/model_apis");
    expect(response.status).toBe(503);
    expect(h.events.some((e) => e.event === "upstream_error")).toBe(true);
  });

  it("does not hammer a failing upstream: one background refresh per 10 s at most", async () => {
    const h = harness({ freshSeconds: 60, maxStaleSeconds: 600 });
    await h.get("/v1/model_apis");
    h.upstream.down = true;
    h.upstream.attempts = 0;
    h.clock.advance(61);
    for (let i = 0; i < 20; i++) {
      expect((await h.get("/v1/model_apis")).headers.get("x-cache")).toBe("STALE");
      await h.settle();
      h.clock.advance(1);
    }
    // 20 s of requests: refreshes at 0 s, 10 s and 20 s at most, each one call plus core's one retry.
    expect(h.upstream.attempts).toBeGreaterThanOrEqual(2);
    expect(h.upstream.attempts).toBeLessThanOrEqual(6);
    expect(h.events.filter((e) => e.event === "refresh_failed").length).toBe(h.upstream.attempts / 2);
  });
});

/** A cache on its own, with a clock the test moves (fresh 60 s, served stale up to an hour, retry after 10 s). */
function bareCache(maxRecords?: number) {
  const clock = { now: 0 };
  const cache = new TieredCache({
    ...(maxRecords === undefined ? {} : { maxRecords }),
    stores: [],
    freshMs: 60_000,
    maxStaleMs: 3_600_000,
    memoryBudget: 100_000_000,
    now: () => clock.now,
    retryRefreshAfterMs: 10_000,
    onStoreError: () => {},
    onRefreshError: () => {},
  });
  return { cache, clock };
}

const failing: Loader<string[]> = async () => {
  throw new Error("upstream down");
};

describe("the cache's bookkeeping of failed loads", () => {
  it("loads again after a loader that threw before returning a promise", async () => {
    const { cache } = bareCache();
    const refused: Loader<string[]> = () => {
      throw new Error("refused at once");
    };
    await expect(cache.get("catalog:x", refused)).rejects.toThrow("refused at once");
    const loaded = await cache.get("catalog:x", async () => ["row"]);
    expect(loaded.status).toBe("MISS");
    expect(loaded.entry.value).toEqual(["row"]);
  });

  it("keeps its record of failed refreshes bounded, and only for keys it holds an entry for", async () => {
    const RECORDS = 200;
    const { cache, clock } = bareCache(RECORDS);
    let refreshes = 0;
    const counting: Loader<string[]> = async () => {
      refreshes++;
      throw new Error("upstream down");
    };
    const background = () => {};
    await cache.get("catalog:watched", async () => ["row"]);
    for (let i = 0; i < RECORDS; i++) await cache.get(`catalog:cached-${i}`, async () => ["row"]);
    clock.now += 61_000;
    // A stale entry whose refresh failed is not refreshed again within 10 s…
    await cache.get("catalog:watched", counting, background);
    await new Promise((resolve) => setTimeout(resolve, 0));
    await cache.get("catalog:watched", counting, background);
    expect(refreshes).toBe(1);
    // …however many never-cached keys fail meanwhile (they leave no record to push it out)…
    for (let i = 0; i < RECORDS; i++) await expect(cache.get(`catalog:random-${i}`, failing)).rejects.toThrow();
    await cache.get("catalog:watched", counting, background);
    expect(refreshes).toBe(1);
    // …while the record is bounded: RECORDS more failed refreshes of cached keys start it over.
    for (let i = 0; i < RECORDS; i++) expect((await cache.get(`catalog:cached-${i}`, failing)).status).toBe("STALE");
    await cache.get("catalog:watched", counting, background);
    expect(refreshes).toBe(2);
  });
});

describe("memoryStore", () => {
  it("sweeps expired entries out as new ones are written, so a stream of one-off keys does not pile up", async () => {
    let now = 0;
    const store = memoryStore(() => now);
    const entry = { value: "[]", metadata: { fetchedAt: 0, hash: "h" } };
    for (let i = 0; i < 100_000; i++) {
      await store.put(`catalog:${i}`, entry, 60);
      now += 10; // one write every 10 ms: about 6,000 entries live at once
    }
    expect(store.size).toBeLessThanOrEqual(2 * 6_000);
    expect(await store.get("catalog:99999")).toEqual(entry);
    expect(await store.get("catalog:0")).toBeNull();
  });
});
