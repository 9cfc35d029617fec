// A LimitStore in one SQLite table (node:sqlite on Node, bun:sqlite on Bun): exact across every process sharing the file.
import { step } from "./account.ts";
import type { LimitStore } from "./store.ts";

export type { LimitStore } from "./store.ts";

type SqliteValue = string | number | null;

/** The part of bun:sqlite's `Database` and node:sqlite's `DatabaseSync` this store uses. */
export interface SqliteLimitDatabase {
  exec(sql: string): unknown;
  prepare(sql: string): {
    /** A row object, or `null` (Bun) / `undefined` (Node) when there is none. */
    get(...params: SqliteValue[]): unknown;
    all(...params: SqliteValue[]): unknown[];
    run(...params: SqliteValue[]): unknown;
  };
}

export interface SqliteLimitStoreOptions {
  /** Table to create and use (default `limit_accounts`). */
  table?: string;
  /** How long an op waits for another process's transaction on the same file (default 5000 ms). */
  busyTimeoutMs?: number;
}

/**
 * A LimitStore in one SQLite table (`account TEXT PRIMARY KEY, doc TEXT`). Each op is one
 * `BEGIN IMMEDIATE` transaction: it takes the file's write lock before reading, so processes
 * sharing the file apply their ops one after another and the counts stay exact. The calls are
 * synchronous, so ops of one process never interleave either.
 *
 * @example
 * ```ts
 * import { DatabaseSync } from "node:sqlite";
 * import { sqliteLimitStore } from "@baseten-edge/gateway/limits/sqlite";
 * const store = sqliteLimitStore(new DatabaseSync("limits.sqlite"));
 * console.log(await store.list("key:"));
 * ```
 */
export function sqliteLimitStore(db: SqliteLimitDatabase, options: SqliteLimitStoreOptions = {}): LimitStore {
  const { table = "limit_accounts", busyTimeoutMs = 5_000 } = options;
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(table))
    throw new TypeError(`Not a plain SQL table name: ${JSON.stringify(table)}.`);
  if (!(Number.isInteger(busyTimeoutMs) && busyTimeoutMs >= 0))
    throw new TypeError(`busyTimeoutMs must be a whole number of milliseconds, got ${busyTimeoutMs}.`);
  db.exec(`PRAGMA busy_timeout = ${busyTimeoutMs}`);
  db.exec(`CREATE TABLE IF NOT EXISTS ${table} (account TEXT PRIMARY KEY, doc TEXT NOT NULL)`);
  const select = db.prepare(`SELECT doc FROM ${table} WHERE account = ?`);
  const upsert = db.prepare(`INSERT OR REPLACE INTO ${table} (account, doc) VALUES (?, ?)`);
  const remove = db.prepare(`DELETE FROM ${table} WHERE account = ?`);
  const names = db.prepare(`SELECT account FROM ${table} WHERE substr(account, 1, ?) = ? ORDER BY account`);
  return {
    async apply(account, op) {
      db.exec("BEGIN IMMEDIATE");
      try {
        const row = (select.get(account) ?? null) as { doc: string } | null;
        const { next, result } = step(row?.doc ?? null, op);
        if (next === null) remove.run(account);
        else if (next !== row?.doc) upsert.run(account, next);
        db.exec("COMMIT");
        return result;
      } catch (error) {
        db.exec("ROLLBACK");
        throw error;
      }
    },
    async list(prefix) {
      return (names.all(prefix.length, prefix) as { account: string }[]).map((row) => row.account);
    },
  };
}
