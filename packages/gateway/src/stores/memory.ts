// An in-memory CatalogStore: the default tier where a runtime has no durable store, and for tests.
import type { CatalogStore, StoredEntry } from "../store.ts";

/**
 * A Map-backed store honouring TTLs; `now` is replaceable for tests.
 *
 * @example
 * ```ts
 * import { createGateway, memoryStore } from "@baseten-edge/gateway";
 * const gateway = createGateway({ auth: { mode: "pass-through" }, cacheSalt: "a long random secret value", stores: [memoryStore()] });
 * ```
 */
export function memoryStore(now: () => number = Date.now): CatalogStore & { readonly size: number } {
  const entries = new Map<string, { entry: StoredEntry; expiresAt: number }>();
  return {
    name: "memory",
    get size() {
      return entries.size;
    },
    async get(key) {
      const slot = entries.get(key);
      if (!slot) return null;
      if (slot.expiresAt <= now()) {
        entries.delete(key);
        return null;
      }
      return slot.entry;
    },
    async put(key, entry, ttlSeconds) {
      entries.set(key, { entry, expiresAt: now() + ttlSeconds * 1000 });
    },
    async delete(key) {
      entries.delete(key);
    },
  };
}
