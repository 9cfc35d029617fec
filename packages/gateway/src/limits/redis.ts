// A LimitStore in Redis, for several gateway instances: each op is a GET and a compare-and-set Lua script, retried on a conflict.
import { type AtomicCells, atomicStore, type LimitStore } from "./store.ts";

export type { LimitStore } from "./store.ts";

/**
 * The one method this store needs from a Redis client: send a command, get its reply. node-redis's
 * client has it as is; ioredis and Bun's client take a one-line adapter (see the README).
 */
export interface RedisCommands {
  sendCommand(args: string[]): Promise<unknown>;
}

export interface RedisLimitStoreOptions {
  /**
   * Start of every key (default `{baseten-edge-limits}:`). The braces are a Redis Cluster hash tag:
   * an account and the index of accounts must live in one slot for the script to touch both.
   */
  prefix?: string;
  /** Attempts per op before giving up under contention (default 100). */
  maxAttempts?: number;
}

/**
 * KEYS[1] the account's document, KEYS[2] the index of account names. ARGV: "1" and the text the
 * op was computed from (or "0": the account did not exist), "1" and the text to store (or "0":
 * delete it), the account name. Replies 1 when written, 0 when another writer changed it first.
 * The ledger itself never runs in Lua: the script only compares and sets.
 */
export const COMPARE_AND_SET = `
local current = redis.call('GET', KEYS[1])
if ARGV[1] == '1' then
  if current ~= ARGV[2] then return 0 end
elseif current then
  return 0
end
if ARGV[3] == '1' then
  redis.call('SET', KEYS[1], ARGV[4])
  redis.call('SADD', KEYS[2], ARGV[5])
else
  redis.call('DEL', KEYS[1])
  redis.call('SREM', KEYS[2], ARGV[5])
end
return 1
`;

/**
 * A LimitStore in Redis. Every instance of the gateway pointing at one Redis shares the accounts:
 * an op reads the account, runs the ledger's step here, and writes back only if the account is
 * still what it read (`COMPARE_AND_SET`), else it reads again.
 *
 * @example
 * ```ts
 * import { createClient } from "redis";
 * import { redisLimitStore } from "@baseten-edge/gateway/limits/redis";
 * const client = await createClient({ url: "redis://127.0.0.1:6379" }).connect();
 * const store = redisLimitStore(client);
 * console.log(await store.list("key:"));
 * ```
 */
export function redisLimitStore(redis: RedisCommands, options: RedisLimitStoreOptions = {}): LimitStore {
  return atomicStore(redisCells(redis, options));
}

function redisCells(redis: RedisCommands, options: RedisLimitStoreOptions): AtomicCells {
  const { prefix = "{baseten-edge-limits}:", maxAttempts = 100 } = options;
  const docKey = (id: string) => `${prefix}account:${id}`;
  const indexKey = `${prefix}accounts`;
  return {
    async update(id, change) {
      for (let attempt = 1; attempt <= maxAttempts; attempt++) {
        const current = await redis.sendCommand(["GET", docKey(id)]);
        const text = typeof current === "string" ? current : null;
        const { next, result } = change(text);
        if (next === text) return result;
        const written = await redis.sendCommand([
          "EVAL",
          COMPARE_AND_SET,
          "2",
          docKey(id),
          indexKey,
          text === null ? "0" : "1",
          text ?? "",
          next === null ? "0" : "1",
          next ?? "",
          id,
        ]);
        if (Number(written) === 1) return result;
      }
      throw new Error(`Redis: gave up on account ${id} after ${maxAttempts} conflicting attempts.`);
    },
    async list(wanted) {
      const names = await redis.sendCommand(["SMEMBERS", indexKey]);
      if (!Array.isArray(names)) throw new TypeError("Redis: SMEMBERS did not answer a list.");
      return names
        .map(String)
        .filter((name) => name.startsWith(wanted))
        .sort();
    },
  };
}
