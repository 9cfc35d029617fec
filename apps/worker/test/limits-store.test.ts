// The Durable Object LimitStore keeps the LimitStore contract in workerd: one SQLite-backed object per account.
import { evictDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { durableObjectStore } from "@baseten-edge/gateway/limits/cloudflare";
import { describe, expect, it } from "vitest";
import { LIMIT_STORE_CHECKS, type LimitStoreUnderTest } from "../../../packages/gateway/test/limit-store-contract.ts";

describe("durableObjectStore, like every LimitStore,", () => {
  // Two stores on one namespace: two isolates (or colos) reaching the same objects.
  const subject: LimitStoreUnderTest = {
    store: durableObjectStore(env.LIMITS),
    twin: durableObjectStore(env.LIMITS),
  };
  it.each(LIMIT_STORE_CHECKS.map((check) => [check.name, check] as const))("%s", (_, check) => check.run(subject));
});

describe("durableObjectStore", () => {
  const store = durableObjectStore(env.LIMITS);
  const digest = "ab".repeat(32);
  const account = `key:${digest}`;
  const now = Date.UTC(2026, 10, 22, 12);
  const charge = { requests: 1, tokens: 10, inputTokens: 5, outputTokens: 5, nano: 100 };

  it("keeps an account across the object's eviction (its SQLite storage, not memory)", async () => {
    await store.apply(account, { op: "put-policy", policy: { name: "evicted", digest, requestsPerMinute: 2 } });
    await store.apply(account, { op: "admit", now, ticket: "a", model: "m", charge, expiresAt: now + 60_000 });
    await evictDurableObject(env.LIMITS.get(env.LIMITS.idFromName(account)));
    const after = await store.apply(account, {
      op: "admit",
      now,
      ticket: "b",
      model: "m",
      charge,
      expiresAt: now + 60_000,
    });
    expect(after).toMatchObject({ ok: true, view: { inFlight: 2, rates: [{ remaining: 0 }] } });
    expect((await store.apply(account, { op: "admit", now, ticket: "c", model: "m", charge, expiresAt: now })).ok).toBe(
      false,
    );
  });

  it("refuses the registry object's name as an account", async () => {
    await expect(store.apply("registry:accounts", { op: "delete-policy" })).rejects.toThrow(/reserved/);
  });
});
