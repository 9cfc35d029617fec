// An in-memory CatalogStore one process's gateways can share (and tests); no gateway uses it unless given it.
import type { CatalogStore, StoredEntry } from "../store.ts";

/** Below this many entries the map is never swept. */
const MIN_SWEEP_SIZE = 1024;

/**
 * A Map-backed store honouring TTLs; `now` is replaceable for tests. It is not a default: a gateway
 * without `stores` keeps only its own memory tier (bounded by `memoryMegabytes`), and this store adds
 * a second copy beside it, useful only when several gateways in one process should share entries.
 * It has no size bound of its own: an entry stays until it expires or is deleted, and expired
 * entries are swept out on write whenever the map has doubled since the last sweep.
 *
 * @example
 * ```ts
 * import { createGateway, memoryStore } from "@baseten-edge/gateway";
 * const shared = memoryStore();
 * // Two gateways in one process (one per port, say): an entry either loaded serves both.
 * const gateways = [8787, 8788].map(() =>
 *   createGateway({ auth: { mode: "pass-through" }, cacheSalt: "a long random secret value", stores: [shared] }),
 * );
 * ```
 */
export function memoryStore(now: () => number = Date.now): CatalogStore & { readonly size: number } {
  const entries = new Map<string, { entry: StoredEntry; expiresAt: number }>();
  let sweepAt = MIN_SWEEP_SIZE;
  /** Drops every expired entry: amortised over the writes that doubled the map, one visit each. */
  const sweep = () => {
    const at = now();
    for (const [key, slot] of entries) if (slot.expiresAt <= at) entries.delete(key);
    sweepAt = Math.max(MIN_SWEEP_SIZE, entries.size * 2);
  };
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
      if (entries.size >= sweepAt) sweep();
    },
    async delete(key) {
      entries.delete(key);
    },
  };
}
