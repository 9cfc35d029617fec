// The CatalogStore contract, run against each runtime's durable store (Deno KV, bun:sqlite, node:sqlite).
import assert from "node:assert/strict";
import type { CatalogStore, StoredEntry } from "@baseten-edge/gateway";

/** A clock the store under test reads, so TTLs can be crossed without waiting. */
export interface TestClock {
  now: number;
}

/** Runs the contract on a fresh store; throws on the first failure, else returns what was checked. */
export async function storeContract(store: CatalogStore, clock: TestClock): Promise<string[]> {
  const entry = (value: string, fetchedAt = clock.now): StoredEntry => ({
    value,
    metadata: { fetchedAt, hash: `h-${value.length}` },
  });
  const done: string[] = [];

  assert.equal(await store.get("absent"), null);
  done.push("answers null for an unknown key");

  await store.put("a", entry('{"x":1}'), 60);
  assert.deepEqual(await store.get("a"), entry('{"x":1}'));
  done.push("returns what was put, with its metadata");

  // Deno KV keeps at most 64 KiB a value; multi-byte text checks chunks split and join on bytes.
  const big = JSON.stringify(Array.from({ length: 6000 }, (_, i) => ({ i, name: `modèle-${i}-日本語-🚀` })));
  assert.ok(new TextEncoder().encode(big).length > 200_000);
  await store.put("big", entry(big), 60);
  assert.equal((await store.get("big"))?.value, big);
  done.push("round-trips a 200 KB multi-byte value");

  await store.put("big", entry("small"), 60);
  assert.equal((await store.get("big"))?.value, "small");
  done.push("overwrites an entry");

  clock.now += 59_000;
  assert.notEqual(await store.get("a"), null);
  clock.now += 2_000;
  assert.equal(await store.get("a"), null);
  done.push("forgets an entry once its TTL has passed");

  await store.put("b", entry("b"), 60);
  await store.delete?.("b");
  assert.equal(await store.get("b"), null);
  done.push("deletes an entry");
  return done;
}
