import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { harness, markerOf, spyStore } from "./helpers.ts";

const MARKER = /ws-[0-9a-f]{12}/g;

describe("tenant isolation", () => {
  it("never serves one workspace's catalog to another, across hundreds of concurrent keys", async () => {
    // 300 new keys in a moment is an attack's shape too: lift the per-isolate bound for this test.
    const h = harness({ newKeysPerMinute: 10_000 }, { acceptAnyKey: true, models: 120 });
    const keys = Array.from({ length: 300 }, (_, i) => `key-${i}-${(i * 7919).toString(36)}`);
    const markers = new Map(await Promise.all(keys.map(async (k) => [k, await markerOf(k)] as const)));
    // Every key lists two pages, gets one model and searches, all shuffled together.
    const jobs = keys.flatMap((key) => [
      async () => [key, await (await h.get("/v1/model_apis?limit=100", key)).text()] as const,
      async () => {
        const first = (await (await h.get("/v1/model_apis?limit=100", key)).json()) as {
          pagination: { cursor: string };
        };
        return [
          key,
          await (await h.get(`/v1/model_apis?limit=100&cursor=${first.pagination.cursor}`, key)).text(),
        ] as const;
      },
      async () => [key, await (await h.get("/v1/model_apis/gpt-oss-120b", key)).text()] as const,
      async () => [key, await (await h.get("/api/models/list?query=deepseek", key)).text()] as const,
    ]);
    const shuffled = fc.sample(fc.shuffledSubarray(jobs, { minLength: jobs.length }), { numRuns: 1, seed: 42 })[0]!;
    const results = await Promise.all(shuffled.map((job) => job()));
    let leaks = 0;
    for (const [key, body] of results) {
      const seen = new Set(body.match(MARKER));
      if (seen.size !== 1 || !seen.has(markers.get(key)!)) leaks++;
    }
    expect(results).toHaveLength(1200);
    expect(leaks).toBe(0);
  }, 60_000);

  it("refuses a cursor issued to another key, without calling the upstream", async () => {
    const h = harness({}, { acceptAnyKey: true });
    const page = (await (await h.get("/v1/model_apis?limit=2", "alice")).json()) as { pagination: { cursor: string } };
    const before = h.upstreamCalls("/v1/model_apis");
    const stolen = await h.get(`/v1/model_apis?limit=2&cursor=${page.pagination.cursor}`, "bob");
    expect(stolen.status).toBe(400);
    expect(await stolen.json()).toEqual({ error: expect.stringMatching(/Invalid cursor/) });
    expect(h.upstreamCalls("/v1/model_apis")).toBe(before);
    const own = await h.get(`/v1/model_apis?limit=2&cursor=${page.pagination.cursor}`, "alice");
    expect(own.status).toBe(200);
  });

  it("keeps keys out of cache keys, stored values, logs and error messages", async () => {
    const store = spyStore();
    const h = harness({ stores: [store] }, { acceptAnyKey: true });
    const key = "sk-live-SECRET-4242-abcdefghijklmnop";
    await h.get("/v1/model_apis", key);
    await h.get("/v1/models", key);
    await h.get("/v1/model_apis/..%2f", key);
    h.upstream.down = true;
    const failed = await h.get("/v1/model_apis", "another-SECRET-key");
    await h.settle();
    const material = [key, "SECRET", key.slice(0, 12), key.slice(-12)];
    const haystacks = [
      ...store.entries.keys(),
      ...[...store.entries.values()].map((e) => e.value),
      JSON.stringify(h.events),
      await failed.text(),
    ];
    for (const text of haystacks) for (const part of material) expect(text).not.toContain(part);
    expect(store.entries.size).toBe(2);
  });
});

describe("upstream auth errors", () => {
  it("passes Baseten's 401/403 on, never caches it, and evicts the caller's entries", async () => {
    const store = spyStore();
    const h = harness({ stores: [store], freshSeconds: 60, maxStaleSeconds: 3600 }, { acceptAnyKey: false });
    expect((await h.get("/v1/model_apis")).status).toBe(200);
    await h.settle();
    expect(store.entries.size).toBe(1);
    const unknown = await h.get("/v1/model_apis", "not-a-key");
    expect(unknown.status).toBe(401);
    expect(store.entries.size).toBe(1);
    // The key is revoked upstream: the stale copy is served while the refresh runs, the refresh's
    // 401 evicts it from every tier, and from then on the caller gets Baseten's answer.
    h.clock.advance(61);
    const revoked = harness(
      { stores: [store], now: () => h.clock.now },
      { acceptAnyKey: false, workspaces: [{ keys: ["someone-else"] }] },
    );
    expect((await revoked.get("/v1/model_apis")).headers.get("x-cache")).toBe("STALE");
    await revoked.settle();
    expect(store.entries.size).toBe(0);
    const denied = await revoked.get("/v1/model_apis");
    expect(denied.status).toBe(401);
    expect(await denied.json()).toEqual({ error: expect.any(String) });
    await revoked.settle();
    expect(store.entries.size).toBe(0);
  });

  it("evicts the caller's other cached list when the first load of one list is refused", async () => {
    const store = spyStore();
    const h = harness({ stores: [store] });
    expect((await h.get("/v1/models")).status).toBe(200);
    await h.settle();
    expect([...store.entries.keys()]).toEqual([expect.stringMatching(/^models:/)]);
    // Revoked upstream: the catalog (never loaded for this key) is refused…
    h.upstream.answer = () => Response.json({ error: "Invalid API key" }, { status: 401 });
    expect((await h.get("/v1/model_apis")).status).toBe(401);
    await h.settle();
    // …and the model list goes from every tier, memory included: no more HITs for the revoked key.
    expect(store.entries.size).toBe(0);
    const models = await h.get("/v1/models");
    expect(models.status).toBe(401);
    expect(models.headers.get("x-cache")).toBeNull();
  });
});
