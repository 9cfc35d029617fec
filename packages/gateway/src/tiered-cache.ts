// The catalog cache: isolate memory → the runtime's stores → upstream, with stale-while-revalidate,
// stale-if-error and single-flight loads.
import { base64url } from "@baseten-edge/core/internal";
import type { CatalogStore, StoredEntry } from "./store.ts";

/** How an answer was served, as the `x-cache` header says it. */
export type CacheStatus = "HIT" | "MISS" | "STALE" | "REVALIDATED";

/** A cached value with what the gateway knows about it. */
export interface Entry<T> {
  value: T;
  fetchedAt: number;
  hash: string;
  /** Length of the entry's JSON, the unit of the memory budget. */
  size: number;
}

export interface Lookup<T> {
  entry: Entry<T>;
  status: CacheStatus;
}

export interface TieredCacheOptions {
  stores: readonly CatalogStore[];
  /** An entry younger than this is served without asking the upstream. */
  freshMs: number;
  /** An entry older than this is never served. */
  maxStaleMs: number;
  /** Upper bound of the memory tier, in UTF-16 code units of the entries' JSON. */
  memoryBudget: number;
  now: () => number;
  /** After a failed background refresh, wait this long before trying again. */
  retryRefreshAfterMs: number;
  onStoreError: (store: string, operation: string, error: unknown) => void;
  /** A background refresh failed (the stale entry goes on being served). */
  onRefreshError: (error: unknown) => void;
  /** Most keys remembered as refused, and as failed to refresh; past it, the record starts over (default 10,000). */
  maxRecords?: number;
  /**
   * Whether a value read from a store is one this version would have stored for `key` (default: any).
   * Stores outlive deployments, so an entry an older version wrote (or a corrupted one) is checked
   * before use; one that fails is read as missing (`onStoreError` with the operation "check"), and
   * the next load replaces it.
   */
  readable?: (key: string, value: unknown) => boolean;
}

/** What `onStoreError` is told for a stored value that `readable` refused. */
export class UnreadableEntryError extends Error {
  override name = "UnreadableEntryError";
}

type WaitUntil = (promise: Promise<unknown>) => void;

/** Loads a value from the upstream; `known` is false for a key no tier has ever held (a first look-up). */
export type Loader<T> = (known: boolean) => Promise<T>;

/**
 * Thrown by loaders for answers that must evict the caller's entries (a revoked key): the key
 * being loaded and `alsoEvict`. The answer is remembered for a few seconds, so a stream of
 * requests with an unknown key costs one upstream call, not one each.
 */
export class EvictingError extends Error {
  alsoEvict: readonly string[] = [];
}

const DENIAL_MS = 10_000;
const MAX_RECORDS = 10_000;

/**
 * One per gateway. Values are loaded by the caller-supplied `load` and stored as JSON in every
 * tier; memory holds parsed values, bounded by `memoryBudget` (least recently used go first).
 */
export class TieredCache {
  readonly #options: TieredCacheOptions;
  readonly #memory = new Map<string, { entry: Entry<unknown>; size: number }>();
  #memorySize = 0;
  readonly #inflight = new Map<string, Promise<Entry<unknown>>>();
  readonly #failedAt = new Map<string, number>();
  readonly #denied = new Map<string, { until: number; error: EvictingError }>();
  readonly #maxRecords: number;

  constructor(options: TieredCacheOptions) {
    this.#options = options;
    this.#maxRecords = options.maxRecords ?? MAX_RECORDS;
  }

  /**
   * The entry for `key`, loading it when missing or too old. A stale entry is served while a
   * refresh runs in `waitUntil`; without `waitUntil` it is refreshed before answering. When the
   * upstream fails, an entry within the maximum staleness is served as STALE.
   */
  async get<T>(key: string, load: Loader<T>, waitUntil?: WaitUntil): Promise<Lookup<T>> {
    const { freshMs, maxStaleMs, now, retryRefreshAfterMs } = this.#options;
    const denied = this.#denied.get(key);
    if (denied && now() < denied.until) throw denied.error;
    let cached = this.#fromMemory(key) as Entry<T> | null;
    if (!cached || now() - cached.fetchedAt >= freshMs) {
      // Memory is missing or stale: a store may hold a newer copy (a cron refresh, another isolate).
      const stored = (await this.#fromStores(key, waitUntil, cached?.fetchedAt)) as Entry<T> | null;
      // A load may have finished while the stores were read (its writes still on their way): take
      // its entry from memory rather than start a second upstream load.
      cached = stored ?? (this.#fromMemory(key) as Entry<T> | null) ?? cached;
    }
    const age = cached ? now() - cached.fetchedAt : Number.POSITIVE_INFINITY;
    if (cached && age < freshMs) return { entry: cached, status: "HIT" };

    const usable = cached !== null && age < maxStaleMs ? cached : null;
    if (usable && waitUntil) {
      const failedAt = this.#failedAt.get(key);
      if (failedAt === undefined || now() - failedAt >= retryRefreshAfterMs) {
        waitUntil(this.#load(key, load, waitUntil, true).catch(this.#options.onRefreshError));
      }
      return { entry: usable, status: "STALE" };
    }
    try {
      const entry = (await this.#load(key, load, waitUntil, cached !== null)) as Entry<T>;
      return { entry, status: cached && cached.hash === entry.hash ? "REVALIDATED" : "MISS" };
    } catch (error) {
      if (usable && !(error instanceof EvictingError)) return { entry: usable, status: "STALE" };
      throw error;
    }
  }

  /** The entry for `key` if any tier holds one within the maximum staleness; never calls the upstream. */
  async peek<T>(key: string): Promise<Entry<T> | null> {
    const entry = (this.#fromMemory(key) ?? (await this.#fromStores(key))) as Entry<T> | null;
    return entry && this.#options.now() - entry.fetchedAt < this.#options.maxStaleMs ? entry : null;
  }

  /** Loads `key` now, sharing one upstream call among concurrent callers, and writes every tier. */
  refresh<T>(key: string, load: Loader<T>, waitUntil?: WaitUntil): Promise<Entry<T>> {
    return this.#load(key, load, waitUntil, true) as Promise<Entry<T>>;
  }

  /** Removes `key` from every tier. */
  async evict(key: string): Promise<void> {
    this.#forget(key);
    await Promise.all(
      this.#options.stores.map((store) =>
        store.delete?.(key).catch((error: unknown) => this.#options.onStoreError(store.name, "delete", error)),
      ),
    );
  }

  /** `known`: some tier held an entry for `key`, so an evicting answer must delete it everywhere. */
  #load(key: string, load: Loader<unknown>, waitUntil: WaitUntil | undefined, known: boolean): Promise<Entry<unknown>> {
    const running = this.#inflight.get(key);
    if (running) return running;
    // Registered before it can settle, removed once it has, whichever way: a loader that throws
    // synchronously (a refused look-up budget) must not leave its rejection behind for every later call.
    const promise: Promise<Entry<unknown>> = this.#loadAndStore(key, load, waitUntil, known).finally(() =>
      this.#inflight.delete(key),
    );
    this.#inflight.set(key, promise);
    return promise;
  }

  async #loadAndStore(
    key: string,
    load: Loader<unknown>,
    waitUntil: WaitUntil | undefined,
    known: boolean,
  ): Promise<Entry<unknown>> {
    try {
      const value = await load(known);
      const json = JSON.stringify(value);
      const entry = newEntry(value, this.#options.now(), await digest(json), json.length);
      this.#failedAt.delete(key);
      this.#remember(key, entry, json.length);
      const writes = this.#writeStores(key, {
        value: json,
        metadata: { fetchedAt: entry.fetchedAt, hash: entry.hash },
      });
      if (waitUntil) waitUntil(writes);
      else await writes;
      return entry;
    } catch (error) {
      // The record is kept at once; the evictions (store reads and writes) need not hold up the refusal.
      const failed = this.#failed(key, error, known);
      if (waitUntil) waitUntil(failed);
      else await failed;
      throw error;
    }
  }

  /** Remembers a failed load: a denial for an evicting answer, else when it failed (for the refresh throttle). */
  async #failed(key: string, error: unknown, known: boolean): Promise<void> {
    const now = this.#options.now();
    if (error instanceof EvictingError) {
      if (this.#denied.size >= this.#maxRecords) this.#denied.clear();
      this.#denied.set(key, { until: now + DENIAL_MS, error });
      // Deleting costs a store write (billed on KV): only what some tier holds. The caller's other
      // entries are looked at whether or not this key had one (a revoked key's cached model list
      // must go when its first catalog load is refused).
      const siblings = await Promise.all(error.alsoEvict.map(async (k) => ((await this.#held(k)) ? [k] : [])));
      await Promise.all([...(known ? [key] : []), ...siblings.flat()].map((k) => this.evict(k)));
      return;
    }
    // Read only when serving a stale entry: a key without one (a refused random key) needs no record.
    if (!known) return;
    if (this.#failedAt.size >= this.#maxRecords) this.#failedAt.clear();
    this.#failedAt.set(key, now);
  }

  /** Whether any tier holds an entry for `key`, whatever its age (store reads, no writes). */
  async #held(key: string): Promise<boolean> {
    if (this.#memory.has(key)) return true;
    for (const store of this.#options.stores) if (await this.#read(store, key)) return true;
    return false;
  }

  /** `store.get`, with a failure reported and read as a miss. */
  #read(store: CatalogStore, key: string): Promise<StoredEntry | null> {
    return store.get(key).catch((error: unknown) => {
      this.#options.onStoreError(store.name, "get", error);
      return null;
    });
  }

  #fromMemory(key: string): Entry<unknown> | null {
    const slot = this.#memory.get(key);
    if (!slot) return null;
    // Re-insert so Map order is least recently used first.
    this.#memory.delete(key);
    this.#memory.set(key, slot);
    return slot.entry;
  }

  /** The first stored entry for `key` (newer than `newerThan`, when given), promoted to faster tiers. */
  async #fromStores(
    key: string,
    waitUntil?: WaitUntil,
    newerThan = Number.NEGATIVE_INFINITY,
  ): Promise<Entry<unknown> | null> {
    const { stores, maxStaleMs, now } = this.#options;
    for (const [index, store] of stores.entries()) {
      const stored = await this.#read(store, key);
      if (!stored || now() - stored.metadata.fetchedAt >= maxStaleMs || stored.metadata.fetchedAt <= newerThan)
        continue;
      let value: unknown;
      try {
        value = JSON.parse(stored.value);
      } catch (error) {
        this.#options.onStoreError(store.name, "parse", error);
        continue;
      }
      if (this.#options.readable && !this.#options.readable(key, value)) {
        this.#options.onStoreError(
          store.name,
          "check",
          new UnreadableEntryError("a stored entry this version cannot read"),
        );
        continue;
      }
      const entry = newEntry(value, stored.metadata.fetchedAt, stored.metadata.hash, stored.value.length);
      this.#remember(key, entry, stored.value.length);
      // Promote to the faster tiers that missed, without delaying the answer when possible.
      const promote = this.#writeStores(key, stored, stores.slice(0, index));
      if (waitUntil) waitUntil(promote);
      else await promote;
      return entry;
    }
    return null;
  }

  async #writeStores(key: string, stored: StoredEntry, stores = this.#options.stores): Promise<void> {
    const { maxStaleMs, now } = this.#options;
    const ttlSeconds = Math.max(1, Math.ceil((stored.metadata.fetchedAt + maxStaleMs - now()) / 1000));
    await Promise.all(
      stores.map((store) =>
        store
          .put(key, stored, ttlSeconds)
          .catch((error: unknown) => this.#options.onStoreError(store.name, "put", error)),
      ),
    );
  }

  #remember(key: string, entry: Entry<unknown>, size: number): void {
    this.#forget(key);
    if (size > this.#options.memoryBudget) return;
    this.#memory.set(key, { entry, size });
    this.#memorySize += size;
    for (const [oldest, slot] of this.#memory) {
      if (this.#memorySize <= this.#options.memoryBudget) break;
      this.#memory.delete(oldest);
      this.#memorySize -= slot.size;
    }
  }

  #forget(key: string): void {
    const slot = this.#memory.get(key);
    if (!slot) return;
    this.#memory.delete(key);
    this.#memorySize -= slot.size;
  }
}

function newEntry(value: unknown, fetchedAt: number, hash: string, size: number): Entry<unknown> {
  return { value, fetchedAt, hash, size };
}

/** A short SHA-256 digest (base64url, 128 bits) of a text. */
export async function digest(text: string): Promise<string> {
  const bytes = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return base64url(new Uint8Array(bytes).subarray(0, 16));
}
