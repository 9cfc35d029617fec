// What the runtime entries share to open LIMITS_STORE: the text after its kind, and Redis through a client library.

import { type RedisCommands, redisLimitStore } from "../limits/redis.ts";
import type { LimitStore } from "../limits/store.ts";
import { ConfigurationError } from "../options.ts";
import type { Env } from "./server.ts";

/** What follows the kind in LIMITS_STORE (`sqlite:./limits.sqlite` → `./limits.sqlite`), or `fallback`. */
export function limitStoreTarget(env: Env, fallback: string): string {
  const text = env.LIMITS_STORE?.trim() ?? "";
  const at = text.indexOf(":");
  return (at < 0 ? "" : text.slice(at + 1).trim()) || fallback;
}

/** The part of a node-redis client the opener uses. */
interface NodeRedisClient {
  on(event: "error", listener: (error: Error) => void): unknown;
  connect(): Promise<RedisCommands>;
}

/** `redis:<url>` with node-redis (the `redis` package, installed next to the gateway). */
export async function nodeRedisLimitStore(env: Env): Promise<LimitStore> {
  const url = limitStoreTarget(env, "");
  if (!/^rediss?:\/\//.test(url)) throw new ConfigurationError("LIMITS_STORE=redis:<url> needs a redis:// URL.");
  const name = "redis"; // computed: an optional dependency the user installs, not one of the package's
  const redis = (await import(name).catch(() => null)) as {
    createClient(options: { url: string }): NodeRedisClient;
  } | null;
  if (!redis) throw new ConfigurationError("LIMITS_STORE=redis needs the `redis` package: npm install redis");
  const client = redis.createClient({ url });
  // node-redis reconnects by itself; an error without a listener would end the process instead.
  client.on("error", (error) => console.error(JSON.stringify({ event: "limits_store_error", error: error.name })));
  return redisLimitStore(await client.connect());
}
