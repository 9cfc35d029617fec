// Gateway options, and reading them from environment variables with the same names on every runtime.
import type { FetchLike } from "@baseten-edge/core";
import type { AuthOptions } from "./auth.ts";
import type { LimitStore } from "./limits/store.ts";
import type { CatalogStore } from "./store.ts";

export interface GatewayOptions {
  /** Who may call and with which upstream key. */
  auth: AuthOptions;
  /** Secret for the HMACs that key cache entries and sign cursors. At least 16 characters. */
  cacheSalt: string;
  /** Baseten's management API root (default https://api.baseten.co). */
  managementUrl?: string;
  /** Baseten's inference API root, without /v1 (default https://inference.baseten.co). */
  inferenceUrl?: string;
  /** The fetch used for upstream calls (default: the global one); pass its `init` on (it carries the timeout's signal). */
  fetch?: FetchLike;
  /** Cache tiers below the per-isolate memory, fastest first (Cache API, KV, ...). */
  stores?: CatalogStore[];
  /** Seconds an entry is served without asking the upstream (default 60). */
  freshSeconds?: number;
  /** Seconds a stale entry may still be served while the upstream fails (default 86400). */
  maxStaleSeconds?: number;
  /** Bound of the per-isolate memory tier in megabytes of catalog JSON (default 32). */
  memoryMegabytes?: number;
  /** Largest relayed request body, in bytes (default 10485760, 10 MiB); larger ones are answered 413. */
  maxBodyBytes?: number;
  /** Seconds to wait for Baseten's response headers on relayed requests (default 600) → 504. */
  firstByteTimeoutSeconds?: number;
  /**
   * Seconds a relayed stream may stay silent (default 120) before it is ended with an error event; a
   * non-streamed answer's body must arrive in full within it once its headers have (else 504).
   */
  idleTimeoutSeconds?: number;
  /** Retries of relayed requests Baseten provably did not process (default 1). */
  relayRetries?: number;
  /** A 429/503 asking to wait longer than this many seconds goes to the client (default 2). */
  maxRetryAfterSeconds?: number;
  /**
   * Keys never seen before whose first look-up one client address may cause per minute (default 30):
   * Baseten keys in pass-through mode; gateway keys in the limits store in operator mode with limits.
   * Beyond it, 429 with `Retry-After`. Needs the runtime's client address.
   */
  newKeysPerClientPerMinute?: number;
  /** The same bound for the whole isolate or process, all clients together (default 600). */
  newKeysPerMinute?: number;
  /** Origins allowed to call from browsers (CORS); `*` for any. Default: none. */
  corsOrigins?: string[];
  /**
   * Gateway keys with policies (rate limits, spend caps, allowed models) and Baseten's own per-model
   * limits kept for the workspace. Absent: no limits (static GATEWAY_TOKENS only, as before).
   */
  limits?: LimitsOptions;
  /** Receives one structured event per notable thing (one `request` event per relayed request); never keys or prompts. */
  log?: (event: GatewayEvent) => void;
  /** Clock, replaceable in tests. */
  now?: () => number;
}

/** Where gateway keys and limited accounts live, and who administers them. */
export interface LimitsOptions {
  /** The accounts' store: memory (one process), SQLite, Deno KV, Redis, or Durable Objects. */
  store: LimitStore;
  /** SHA-256 hex digests of the admin tokens (the admin API and the operator's usage view). */
  adminTokenHashes?: readonly string[];
  /** Keep each model's catalog `rate_limits` for the whole workspace, answering 429 locally (default true). */
  modelLimits?: boolean;
  /**
   * Seconds a streamed answer may run after its first byte and still count as in flight (default 1800):
   * an admission's ticket expires at the first-byte timeout plus this, so a crashed isolate's
   * reservation frees itself (charged in full, never less).
   */
  streamSeconds?: number;
}

/** Defaults of `LimitsOptions`, written once. */
export const LIMITS_DEFAULTS = { modelLimits: true, streamSeconds: 1800 } as const satisfies Partial<LimitsOptions>;

export interface GatewayEvent {
  event: string;
  [field: string]: string | number | boolean | null;
}

/** The environment variables the gateway reads (Worker vars/secrets, Deno/Bun/Node env). */
export const ENV_VARS = {
  AUTH_MODE: "`pass-through` (default): callers send their own Baseten key; `operator`: callers send gateway tokens",
  BASETEN_API_KEY: "secret, operator mode: the Baseten key the gateway calls upstream with",
  GATEWAY_TOKENS: "secret, operator mode: comma-separated SHA-256 hex digests of the accepted gateway tokens",
  PUBLIC_CATALOG:
    "`true` to serve the catalog to anonymous callers in operator mode, without org_details (default false)",
  CACHE_SALT: "secret, required: at least 16 characters; keys cache entries and signs cursors",
  BASETEN_MANAGEMENT_URL: "management API root (default https://api.baseten.co)",
  BASETEN_INFERENCE_URL: "inference API root (default https://inference.baseten.co)",
  CATALOG_FRESH_SECONDS: "seconds a cached catalog is fresh (default 60)",
  CATALOG_MAX_STALE_SECONDS: "seconds a stale catalog may be served while Baseten fails (default 86400)",
  RELAY_MAX_BODY_BYTES: "largest relayed request body in bytes (default 10485760)",
  RELAY_FIRST_BYTE_TIMEOUT_SECONDS: "seconds to wait for Baseten's response headers before a 504 (default 600)",
  RELAY_IDLE_TIMEOUT_SECONDS:
    "seconds a relayed stream may stay silent before it is ended with an error event, and a non-streamed answer's body may take after its headers before a 504 (default 120)",
  RELAY_RETRIES: "retries of relayed requests Baseten provably did not process (default 1)",
  RELAY_MAX_RETRY_AFTER_SECONDS:
    "longest Retry-After the relay waits out itself; longer ones go to the client (default 2)",
  CORS_ORIGINS: "comma-separated origins allowed to call from browsers, or * (default: none)",
  NEW_KEYS_PER_CLIENT_PER_MINUTE:
    "never-seen keys one client address may have looked up per minute (default 30): Baseten keys upstream (pass-through), gateway keys in the limits store (operator mode with limits)",
  NEW_KEYS_PER_MINUTE:
    "the same for the whole isolate or process (default 600): Baseten keys upstream (pass-through), gateway keys in the limits store (operator mode with limits)",
  ADMIN_TOKENS:
    "secret, limits on: comma-separated SHA-256 hex digests of admin tokens (key policies API, usage of every key)",
  MODEL_LIMITS: "limits on: `false` to stop keeping each model's catalog rate_limits for the workspace (default true)",
} as const;

type EnvName = keyof typeof ENV_VARS;

/**
 * Every default, written once: `resolveOptions` applies them, and a test checks `ENV_VARS`, the
 * option JSDoc above and the READMEs' tables against them.
 */
export const DEFAULTS = {
  managementUrl: "https://api.baseten.co",
  inferenceUrl: "https://inference.baseten.co",
  freshSeconds: 60,
  maxStaleSeconds: 86_400,
  memoryMegabytes: 32,
  maxBodyBytes: 10 * 1024 * 1024,
  firstByteTimeoutSeconds: 600,
  idleTimeoutSeconds: 120,
  relayRetries: 1,
  maxRetryAfterSeconds: 2,
  newKeysPerClientPerMinute: 30,
  newKeysPerMinute: 600,
} as const satisfies Partial<GatewayOptions>;

/** The option each single-valued environment variable sets (URLs as text, the rest whole numbers). */
export const ENV_OPTION = {
  BASETEN_MANAGEMENT_URL: "managementUrl",
  BASETEN_INFERENCE_URL: "inferenceUrl",
  CATALOG_FRESH_SECONDS: "freshSeconds",
  CATALOG_MAX_STALE_SECONDS: "maxStaleSeconds",
  RELAY_MAX_BODY_BYTES: "maxBodyBytes",
  RELAY_FIRST_BYTE_TIMEOUT_SECONDS: "firstByteTimeoutSeconds",
  RELAY_IDLE_TIMEOUT_SECONDS: "idleTimeoutSeconds",
  RELAY_RETRIES: "relayRetries",
  RELAY_MAX_RETRY_AFTER_SECONDS: "maxRetryAfterSeconds",
  NEW_KEYS_PER_CLIENT_PER_MINUTE: "newKeysPerClientPerMinute",
  NEW_KEYS_PER_MINUTE: "newKeysPerMinute",
} as const satisfies Partial<Record<EnvName, keyof typeof DEFAULTS>>;

/** Options with every default applied and every duration in milliseconds: what the modules use. */
export interface ResolvedOptions {
  auth: AuthOptions;
  cacheSalt: string;
  managementUrl: string;
  inferenceUrl: string;
  /** The caller's fetch, if any (the catalog clients then use their own default). */
  fetch: FetchLike | undefined;
  stores: readonly CatalogStore[];
  freshMs: number;
  maxStaleMs: number;
  memoryBudget: number;
  maxBodyBytes: number;
  firstByteTimeoutMs: number;
  idleTimeoutMs: number;
  relayRetries: number;
  maxRetryAfterMs: number;
  newKeysPerClientPerMinute: number;
  newKeysPerMinute: number;
  corsOrigins: readonly string[];
  /** Absent: no limits. */
  limits: ResolvedLimits | undefined;
  log: (event: GatewayEvent) => void;
  now: () => number;
}

export interface ResolvedLimits {
  store: LimitStore;
  adminTokenHashes: readonly string[];
  modelLimits: boolean;
  streamMs: number;
}

/** Checks the options (throws `ConfigurationError`) and applies the defaults: the one place they are read. */
export function resolveOptions(options: GatewayOptions): ResolvedOptions {
  checkOptions(options);
  const pick = <K extends keyof typeof DEFAULTS>(key: K) => options[key] ?? DEFAULTS[key];
  return {
    auth: options.auth,
    cacheSalt: options.cacheSalt,
    managementUrl: pick("managementUrl"),
    inferenceUrl: pick("inferenceUrl"),
    fetch: options.fetch,
    stores: options.stores ?? [],
    freshMs: pick("freshSeconds") * 1000,
    maxStaleMs: pick("maxStaleSeconds") * 1000,
    memoryBudget: pick("memoryMegabytes") * 1024 * 1024,
    maxBodyBytes: pick("maxBodyBytes"),
    firstByteTimeoutMs: pick("firstByteTimeoutSeconds") * 1000,
    idleTimeoutMs: pick("idleTimeoutSeconds") * 1000,
    relayRetries: pick("relayRetries"),
    maxRetryAfterMs: pick("maxRetryAfterSeconds") * 1000,
    newKeysPerClientPerMinute: pick("newKeysPerClientPerMinute"),
    newKeysPerMinute: pick("newKeysPerMinute"),
    corsOrigins: options.corsOrigins ?? [],
    limits: options.limits && {
      store: options.limits.store,
      adminTokenHashes: options.limits.adminTokenHashes ?? [],
      modelLimits: options.limits.modelLimits ?? LIMITS_DEFAULTS.modelLimits,
      streamMs: (options.limits.streamSeconds ?? LIMITS_DEFAULTS.streamSeconds) * 1000,
    },
    log: options.log ?? (() => {}),
    now: options.now ?? Date.now,
  };
}

/** Thrown for configuration that cannot work; the message says which variable to fix. */
export class ConfigurationError extends Error {
  override name = "ConfigurationError";
}

/**
 * Builds options from environment variables (see `ENV_VARS`); runtime-specific parts (stores,
 * fetch) come in `extra`.
 *
 * @example
 * ```ts
 * import { createGateway, gatewayOptionsFromEnv } from "@baseten-edge/gateway";
 * const gateway = createGateway(gatewayOptionsFromEnv({ CACHE_SALT: "a long random secret value" }));
 * ```
 */
export function gatewayOptionsFromEnv(
  env: Record<string, unknown>,
  extra: Partial<Pick<GatewayOptions, "stores" | "fetch" | "log" | "now">> & {
    /** The limits store this runtime opened (LIMITS_STORE); absent: no limits. */
    limitStore?: LimitStore;
  } = {},
): GatewayOptions {
  // wrangler.jsonc may give a var as a JSON number or boolean (`"MODEL_LIMITS": false`): read as its text.
  const text = (name: EnvName) => {
    const raw = env[name];
    const value = typeof raw === "number" || typeof raw === "boolean" ? String(raw) : raw;
    if (value !== undefined && value !== null && typeof value !== "string")
      throw new ConfigurationError(`${name} must be a string, a number or true/false.`);
    return value?.trim() || undefined;
  };
  const whole = (name: EnvName) => {
    const value = text(name);
    if (value === undefined) return undefined;
    if (!/^\d+$/.test(value)) throw new ConfigurationError(`${name} must be a whole number.`);
    return Number(value);
  };
  const mode = text("AUTH_MODE") ?? "pass-through";
  let auth: AuthOptions;
  if (mode === "pass-through") auth = { mode };
  else if (mode === "operator") {
    const apiKey = text("BASETEN_API_KEY");
    if (!apiKey) throw new ConfigurationError("AUTH_MODE=operator needs the BASETEN_API_KEY secret.");
    const tokenHashes = digestList(text("GATEWAY_TOKENS"));
    const publicCatalog = text("PUBLIC_CATALOG") === "true";
    auth = { mode, apiKey, tokenHashes, publicCatalog };
  } else throw new ConfigurationError('AUTH_MODE must be "pass-through" or "operator".');

  const { limitStore, ...rest } = extra;
  const options: GatewayOptions = { auth, cacheSalt: text("CACHE_SALT") ?? "", ...rest };
  if (limitStore) options.limits = limitsFromEnv(text, limitStore);
  const assign = <K extends keyof GatewayOptions>(key: K, value: GatewayOptions[K] | undefined) => {
    if (value !== undefined) options[key] = value;
  };
  for (const [name, key] of Object.entries(ENV_OPTION)) {
    assign(key, key === "managementUrl" || key === "inferenceUrl" ? text(name as EnvName) : whole(name as EnvName));
  }
  assign(
    "corsOrigins",
    text("CORS_ORIGINS")
      ?.split(",")
      .map((o) => o.trim())
      .filter(Boolean),
  );
  return options;
}

function limitsFromEnv(text: (name: EnvName) => string | undefined, store: LimitStore): LimitsOptions {
  const adminTokenHashes = digestList(text("ADMIN_TOKENS"));
  const modelLimits = text("MODEL_LIMITS");
  if (modelLimits !== undefined && modelLimits !== "true" && modelLimits !== "false")
    throw new ConfigurationError('MODEL_LIMITS must be "true" or "false".');
  return { store, adminTokenHashes, ...(modelLimits !== undefined && { modelLimits: modelLimits === "true" }) };
}

const digestList = (text: string | undefined) =>
  (text ?? "")
    .split(",")
    .map((t) => t.trim().toLowerCase())
    .filter(Boolean);

/** The longest timer every runtime keeps: 2^31 - 1 ms, in whole seconds. */
const MAX_TIMER_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

/** Checks options once at start-up, so a misconfigured gateway fails loudly instead of per request. */
export function checkOptions(options: GatewayOptions): void {
  if (typeof options.cacheSalt !== "string" || options.cacheSalt.length < 16) {
    throw new ConfigurationError("CACHE_SALT (cacheSalt) is required: a secret of at least 16 characters.");
  }
  const { auth } = options;
  if (auth.mode === "operator") {
    if (!auth.apiKey) throw new ConfigurationError("Operator mode needs BASETEN_API_KEY (auth.apiKey).");
    // It goes into an Authorization header: a character a header cannot carry would fail each call.
    if (!/^[\x21-\x7e]+$/.test(auth.apiKey))
      throw new ConfigurationError("BASETEN_API_KEY (auth.apiKey) must be printable ASCII without spaces.");
    const bad = auth.tokenHashes.filter((h) => !/^[0-9a-f]{64}$/.test(h));
    if (bad.length)
      throw new ConfigurationError("GATEWAY_TOKENS must be SHA-256 hex digests (64 hex characters each), not tokens.");
    if (auth.tokenHashes.length === 0 && !auth.publicCatalog && !options.limits?.adminTokenHashes?.length) {
      throw new ConfigurationError(
        "Operator mode needs GATEWAY_TOKENS (or ADMIN_TOKENS with limits, or PUBLIC_CATALOG=true): otherwise nobody can call it.",
      );
    }
  }
  checkLimits(options.limits);
  const numbers = {
    freshSeconds: options.freshSeconds,
    maxStaleSeconds: options.maxStaleSeconds,
    maxBodyBytes: options.maxBodyBytes,
    firstByteTimeoutSeconds: options.firstByteTimeoutSeconds,
    idleTimeoutSeconds: options.idleTimeoutSeconds,
    relayRetries: options.relayRetries,
    maxRetryAfterSeconds: options.maxRetryAfterSeconds,
    newKeysPerClientPerMinute: options.newKeysPerClientPerMinute,
    newKeysPerMinute: options.newKeysPerMinute,
  };
  for (const [name, value] of Object.entries(numbers)) {
    if (value !== undefined && (!Number.isFinite(value) || value < 0))
      throw new ConfigurationError(`${name} must be >= 0.`);
    // Timers hold at most 2^31 - 1 ms; a longer one fires at once (Node, browsers) instead of late.
    if (name.endsWith("TimeoutSeconds") && (value ?? 0) > MAX_TIMER_SECONDS)
      throw new ConfigurationError(`${name} must be at most ${MAX_TIMER_SECONDS} (about 24 days).`);
  }
  for (const [name, url] of [
    ["managementUrl (BASETEN_MANAGEMENT_URL)", options.managementUrl],
    ["inferenceUrl (BASETEN_INFERENCE_URL)", options.inferenceUrl],
  ]) {
    if (url === undefined) continue;
    // The value is not repeated in the message: a URL may carry a password.
    const parsed = URL.canParse(url) ? new URL(url) : null;
    if (!parsed || (parsed.protocol !== "https:" && parsed.protocol !== "http:"))
      throw new ConfigurationError(`${name} must be an absolute http(s) URL.`);
    if (parsed.username || parsed.password)
      throw new ConfigurationError(`${name} must not carry a user name or password: keys go in headers.`);
  }
}

function checkLimits(limits: LimitsOptions | undefined): void {
  if (!limits) return;
  if (typeof limits.store?.apply !== "function")
    throw new ConfigurationError(
      "limits.store must be a LimitStore (memory, SQLite, Deno KV, Redis or Durable Objects).",
    );
  if ((limits.adminTokenHashes ?? []).some((h) => !/^[0-9a-f]{64}$/.test(h)))
    throw new ConfigurationError("ADMIN_TOKENS must be SHA-256 hex digests (64 hex characters each), not tokens.");
  const seconds = limits.streamSeconds;
  if (seconds !== undefined && (!Number.isFinite(seconds) || seconds <= 0))
    throw new ConfigurationError("limits.streamSeconds must be > 0.");
}
