// What the Deno, Bun and Node entry points share: reading PORT/HOST/CATALOG_STORE and building the gateway.
import { createGateway, type Gateway, type WaitUntilContext } from "../gateway.ts";
import { atomicStore, type LimitStore, memoryCells } from "../limits/store.ts";
import { ConfigurationError, gatewayOptionsFromEnv } from "../options.ts";
import type { CatalogStore } from "../store.ts";

/** Environment variables read only by the Deno, Bun and Node entry points (on top of `ENV_VARS`). */
export const RUNTIME_ENV_VARS = {
  PORT: "Bun, Node: port to listen on (default 8787; 0 picks a free one). Deno: use `deno serve --port`",
  HOST: "Bun, Node: interface to bind (default 127.0.0.1, loopback only). Deno: use `deno serve --host`",
  CATALOG_STORE: "durable cache tier below memory: `memory` (default, none), `deno-kv` (Deno), `sqlite` (Bun, Node)",
  DENO_KV_PATH: "Deno, CATALOG_STORE=deno-kv: the KV database file (default: Deno's per-script location)",
  SQLITE_PATH: "Bun, Node, CATALOG_STORE=sqlite: the SQLite file (default ./catalog-cache.sqlite)",
  LIMITS_STORE:
    "where gateway keys and limit counters live: `memory` (default, this process only), `sqlite[:<path>]` (Bun, Node; default ./limits.sqlite), `deno-kv[:<path>]` (Deno), `redis:<url>` (Bun's client; Node with the `redis` package installed)",
} as const;

export type Env = Record<string, string | undefined>;
/** Opens the durable tier named by CATALOG_STORE. */
export type StoreOpener = (env: Env) => Promise<CatalogStore>;
/** Opens the limits store named by LIMITS_STORE (its text after the kind, e.g. a path or URL, is in `env`). */
export type LimitStoreOpener = (env: Env) => Promise<LimitStore>;

export interface RuntimeGateway {
  gateway: Gateway;
  /**
   * `gateway.fetch` with a context that lets background refreshes finish (the process lives on);
   * `clientAddress` is the socket's peer, for the bound on never-seen keys.
   */
  fetch(request: Request, clientAddress?: string): Promise<Response>;
  port: number;
  hostname: string;
  /** The CATALOG_STORE in use. */
  store: string;
}

/** Long-lived servers have no `waitUntil`: a refresh simply keeps running after the answer. */
const background: WaitUntilContext = {
  waitUntil(promise) {
    promise.catch(() => {}); // failures are logged by the gateway (refresh_failed)
  },
};

/**
 * Events go to stderr as JSON lines (they never carry keys, see GatewayOptions.log), written once per
 * timer turn rather than once per event: a stderr pipe is written synchronously, and one write per
 * relayed request was a tenth of its CPU on Node under load.
 */
function batchedLog(): (event: object) => void {
  let pending: string[] = [];
  const flush = () => {
    const lines = pending;
    pending = [];
    console.error(lines.join("\n"));
  };
  return (event) => {
    if (pending.push(JSON.stringify(event)) === 1) setTimeout(flush, 0);
  };
}

/**
 * Builds the gateway from environment variables; `openers` are the durable stores this runtime offers.
 * Throws a `ConfigurationError` naming the variable or option when something cannot work.
 */
export async function runtimeGateway(
  env: Env,
  runtime: string,
  openers: Record<string, StoreOpener>,
  limitOpeners: Record<string, LimitStoreOpener> = {},
): Promise<RuntimeGateway> {
  const text = (name: string) => env[name]?.trim() || undefined;
  const portText = text("PORT") ?? "8787";
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65_535)
    throw new ConfigurationError("PORT must be a whole number from 0 to 65535.");
  const store = text("CATALOG_STORE") ?? "memory";
  const open = ownOpener(openers, store);
  if (store !== "memory" && !open) {
    const allowed = ["memory", ...Object.keys(openers)].join(", ");
    throw new ConfigurationError(
      `CATALOG_STORE must be one of ${allowed} on ${runtime}, got ${JSON.stringify(store)}.`,
    );
  }
  const stores = open ? [await open(env)] : [];
  const limitStore = await openLimitStore(env, runtime, limitOpeners);
  const gateway = createGateway(gatewayOptionsFromEnv(env, { stores, log: batchedLog(), limitStore }));
  return {
    gateway,
    fetch: (request, clientAddress) => gateway.fetch(request, { ...background, clientAddress }),
    port: Number(portText),
    hostname: text("HOST") ?? "127.0.0.1",
    store,
  };
}

/** LIMITS_STORE's kind is the text before the first `:` (`sqlite:./limits.sqlite`, `redis:redis://...`). */
async function openLimitStore(env: Env, runtime: string, openers: Record<string, LimitStoreOpener>) {
  const kind = (env.LIMITS_STORE?.trim() || "memory").split(":")[0] ?? "memory";
  if (kind === "memory") return atomicStore(memoryCells());
  const open = ownOpener(openers, kind);
  if (!open) {
    const allowed = ["memory", ...Object.keys(openers)].join(", ");
    throw new ConfigurationError(`LIMITS_STORE must be one of ${allowed} on ${runtime}, got ${JSON.stringify(kind)}.`);
  }
  return open(env);
}

/** The opener named `kind`, own keys only: `constructor` or `__proto__` is an unknown store, not Object's. */
function ownOpener<T>(openers: Record<string, T>, kind: string): T | undefined {
  return Object.hasOwn(openers, kind) ? openers[kind] : undefined;
}

/** A running gateway server. */
export interface GatewayServer {
  /** Where it listens, e.g. `http://127.0.0.1:8787/`. */
  url: string;
  close(): Promise<void>;
}

/**
 * True when the module is the program, not an import: `import.meta.main` (Node 22.18+ and 24.2+,
 * Deno, Bun); on an older Node, whether the module is the script Node was started with.
 */
export function isMain(meta: ImportMeta): boolean {
  const { main, filename } = meta as ImportMeta & { main?: boolean; filename?: string };
  if (main !== undefined) return main;
  const script = (globalThis as { process?: { argv?: string[] } }).process?.argv?.[1];
  return filename !== undefined && filename === script;
}
