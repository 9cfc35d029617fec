// The gateway on Bun.serve: configured from Bun.env, cached in bun:sqlite (CATALOG_STORE=sqlite) or memory.
import { ConfigurationError } from "../options.ts";
import { type Env, type GatewayServer, isMain, runtimeGateway } from "./server.ts";

export type { GatewayServer } from "./server.ts";

import { redisLimitStore } from "../limits/redis.ts";
import { type SqliteLimitDatabase, sqliteLimitStore } from "../limits/sqlite.ts";
import { type SqliteDatabase, sqlitePath, sqliteStore } from "../stores/sqlite.ts";
import { limitStoreTarget } from "./limit-openers.ts";

// The few Bun APIs used here, so the package type-checks without Bun's types.
declare const Bun: {
  env: Env;
  serve(options: {
    port: number;
    hostname: string;
    fetch(request: Request, server: { requestIP(request: Request): { address: string } | null }): Promise<Response>;
  }): {
    url: URL;
    stop(closeActiveConnections?: boolean): Promise<void>;
  };
};

/**
 * Starts the gateway on `Bun.serve` with PORT and HOST from `env`. Running this file does it too.
 *
 * @example
 * ```ts
 * import { serve } from "@baseten-edge/gateway/bun";
 * const server = await serve();
 * console.log(`gateway on ${server.url}`);
 * ```
 */
export async function serve(env?: Env): Promise<GatewayServer> {
  if (typeof Bun === "undefined")
    throw new ConfigurationError("@baseten-edge/gateway/bun runs in Bun; on Node use @baseten-edge/gateway/node.");
  const runtime = await runtimeGateway(
    env ?? Bun.env,
    "Bun",
    {
      sqlite: async (env) => sqliteStore(new (await bunSqlite())(sqlitePath(env))),
    },
    {
      sqlite: async (env) => sqliteLimitStore(new (await bunSqlite())(limitStoreTarget(env, "./limits.sqlite"))),
      // Bun's own Redis client: `send(command, args)` is all the store needs.
      redis: async (env) => {
        const bun = "bun";
        const { RedisClient } = (await import(bun)) as {
          RedisClient: new (url: string) => { send(command: string, args: string[]): Promise<unknown> };
        };
        const client = new RedisClient(limitStoreTarget(env, "redis://127.0.0.1:6379"));
        return redisLimitStore({ sendCommand: ([command = "", ...args]) => client.send(command, args) });
      },
    },
  );
  const server = Bun.serve({
    port: runtime.port,
    hostname: runtime.hostname,
    fetch: (request, server) => runtime.fetch(request, server.requestIP(request)?.address),
  });
  return { url: server.url.href, close: () => server.stop(true) };
}

/** bun:sqlite's Database. A computed specifier: bundlers and Deno's module graph leave Bun's built-in alone. */
async function bunSqlite(): Promise<new (path: string) => SqliteDatabase & SqliteLimitDatabase> {
  const name = "bun:sqlite";
  return ((await import(name)) as { Database: new (path: string) => SqliteDatabase & SqliteLimitDatabase }).Database;
}

if (isMain(import.meta)) {
  const server = await serve();
  console.log(`Baseten gateway listening on ${server.url}`);
}
