// The gateway on Node's http server (@hono/node-server): configured from process.env, cached in node:sqlite or memory.
import { serve as serveNode } from "@hono/node-server";
import { ConfigurationError } from "../options.ts";
import { type Env, type GatewayServer, isMain, runtimeGateway } from "./server.ts";

export type { GatewayServer } from "./server.ts";

import { type SqliteLimitDatabase, sqliteLimitStore } from "../limits/sqlite.ts";
import { type SqliteDatabase, sqlitePath, sqliteStore } from "../stores/sqlite.ts";
import { limitStoreTarget, nodeRedisLimitStore } from "./limit-openers.ts";

// The part of Node's `process` used here, so the package type-checks without @types/node.
declare const process: {
  env: Env;
  once(signal: "SIGINT" | "SIGTERM", listener: () => void): unknown;
  exit(code: number): never;
};

/**
 * Starts the gateway on Node's http server with PORT and HOST from `env`. Running this file does it too.
 *
 * @example
 * ```ts
 * import { serve } from "@baseten-edge/gateway/node";
 * const server = await serve();
 * console.log(`gateway on ${server.url}`);
 * ```
 */
export async function serve(env: Env = process.env): Promise<GatewayServer> {
  const runtime = await runtimeGateway(
    env,
    "Node",
    {
      sqlite: async (env) => sqliteStore(new (await nodeSqlite("CATALOG_STORE=sqlite"))(sqlitePath(env))),
    },
    {
      sqlite: async (env) =>
        sqliteLimitStore(new (await nodeSqlite("LIMITS_STORE=sqlite"))(limitStoreTarget(env, "./limits.sqlite"))),
      redis: nodeRedisLimitStore,
    },
  );
  const server = await new Promise<ReturnType<typeof serveNode>>((resolve, reject) => {
    // @hono/node-server passes the Node request as `env.incoming`: its socket knows the peer.
    const fetch = (request: Request, env: { incoming: { socket: { remoteAddress?: string | undefined } } }) =>
      runtime.fetch(request, env.incoming.socket.remoteAddress);
    const started = serveNode({ fetch, port: runtime.port, hostname: runtime.hostname }, () => resolve(started));
    started.once("error", reject);
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : runtime.port;
  const host = runtime.hostname.includes(":") ? `[${runtime.hostname}]` : runtime.hostname;
  return {
    url: `http://${host}:${port}/`,
    close: () =>
      new Promise<void>((resolve, reject) => server.close((error?: Error) => (error ? reject(error) : resolve()))),
  };
}

/** node:sqlite's DatabaseSync, or a ConfigurationError naming what needed it. */
async function nodeSqlite(what: string): Promise<new (path: string) => SqliteDatabase & SqliteLimitDatabase> {
  const name = "node:sqlite"; // computed: not a dependency of the package's types
  const sqlite = (await import(name).catch(() => null)) as {
    DatabaseSync: new (path: string) => SqliteDatabase & SqliteLimitDatabase;
  } | null;
  if (!sqlite) throw new ConfigurationError(`${what} needs node:sqlite (Node 22.13 or later).`);
  return sqlite.DatabaseSync;
}

if (isMain(import.meta)) {
  const server = await serve();
  console.log(`Baseten gateway listening on ${server.url}`);
  const stop = () =>
    void server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}
