// The storage interface the catalog cache is written against; each runtime binds its own.

/** What the gateway keeps next to each cached value. */
export interface EntryMetadata {
  /** When the upstream answered (ms since the epoch). */
  fetchedAt: number;
  /** A hash of the value, used for ETags and to tell a refresh that changed nothing. */
  hash: string;
}

export interface StoredEntry {
  /** The serialised entry (JSON text). */
  value: string;
  metadata: EntryMetadata;
}

/**
 * A cache tier below the per-isolate memory: the Workers Cache API, KV, Deno KV, SQLite...
 * Keys are opaque strings made by the gateway (HMACs, never key material). `ttlSeconds` is how
 * long the tier may keep the entry at all (the gateway's maximum staleness); freshness is decided
 * by the gateway from `metadata.fetchedAt`, not by the tier.
 */
export interface CatalogStore {
  /** A short name for logs, e.g. "cache-api" or "kv". */
  readonly name: string;
  get(key: string): Promise<StoredEntry | null>;
  put(key: string, entry: StoredEntry, ttlSeconds: number): Promise<void>;
  delete?(key: string): Promise<void>;
}
