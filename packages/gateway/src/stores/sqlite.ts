// A CatalogStore in SQLite, for bun:sqlite (Bun) and node:sqlite (Node): both fit `SqliteDatabase`.
import type { CatalogStore, StoredEntry } from "../store.ts";

type SqliteValue = string | number | null;

/** The part of bun:sqlite's `Database` and node:sqlite's `DatabaseSync` this store uses. */
export interface SqliteDatabase {
  exec(sql: string): unknown;
  prepare(sql: string): {
    /** A row object, or `null` (Bun) / `undefined` (Node) when there is none. */
    get(...params: SqliteValue[]): unknown;
    run(...params: SqliteValue[]): unknown;
  };
}

export interface SqliteStoreOptions {
  /** Table to create and use (default `catalog_cache`). */
  table?: string;
  /** Clock, replaceable in tests. */
  now?: () => number;
}

interface Row {
  value: string;
  fetched_at: number | bigint;
  hash: string;
  expires_at: number | bigint;
}

/**
 * A CatalogStore in one SQLite table; entries past their TTL are never returned and are pruned on writes.
 *
 * @example
 * ```ts
 * import { DatabaseSync } from "node:sqlite";
 * import { createGateway } from "@baseten-edge/gateway";
 * import { sqliteStore } from "@baseten-edge/gateway/stores/sqlite";
 * const gateway = createGateway({
 *   auth: { mode: "pass-through" },
 *   cacheSalt: "a long random secret value",
 *   stores: [sqliteStore(new DatabaseSync("catalog-cache.sqlite"))],
 * });
 * ```
 */
export function sqliteStore(db: SqliteDatabase, options: SqliteStoreOptions = {}): CatalogStore {
  const { table = "catalog_cache", now = Date.now } = options;
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(table))
    throw new TypeError(`Not a plain SQL table name: ${JSON.stringify(table)}.`);
  db.exec(
    `CREATE TABLE IF NOT EXISTS ${table} (key TEXT PRIMARY KEY, value TEXT NOT NULL, fetched_at INTEGER NOT NULL, ` +
      `hash TEXT NOT NULL, expires_at INTEGER NOT NULL)`,
  );
  const select = db.prepare(`SELECT value, fetched_at, hash, expires_at FROM ${table} WHERE key = ?`);
  const upsert = db.prepare(
    `INSERT OR REPLACE INTO ${table} (key, value, fetched_at, hash, expires_at) VALUES (?, ?, ?, ?, ?)`,
  );
  const remove = db.prepare(`DELETE FROM ${table} WHERE key = ?`);
  const prune = db.prepare(`DELETE FROM ${table} WHERE expires_at <= ?`);
  return {
    name: "sqlite",
    async get(key) {
      const row = (select.get(key) ?? null) as Row | null;
      if (!row) return null;
      if (Number(row.expires_at) <= now()) {
        remove.run(key);
        return null;
      }
      return {
        value: row.value,
        metadata: { fetchedAt: Number(row.fetched_at), hash: row.hash },
      } satisfies StoredEntry;
    },
    async put(key, entry, ttlSeconds) {
      const at = now();
      prune.run(at);
      upsert.run(key, entry.value, entry.metadata.fetchedAt, entry.metadata.hash, at + ttlSeconds * 1000);
    },
    async delete(key) {
      remove.run(key);
    },
  };
}

/** SQLITE_PATH, or the default file next to the working directory. */
export function sqlitePath(env: Record<string, string | undefined>): string {
  return env.SQLITE_PATH?.trim() || "./catalog-cache.sqlite";
}
