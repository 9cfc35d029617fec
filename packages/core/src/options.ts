// Options shared by both clients, checked once, turned into headers and a policy-wrapped fetch.
import { InvalidArgumentError } from "./errors.ts";
import { type FetchLike, withPolicy } from "./fetch.ts";

/** Options both clients accept. */
export interface ClientOptions {
  /**
   * Your Baseten API key: printable ASCII without spaces (anything else is refused, without quoting
   * it). Sent only in the `Authorization` header, never logged.
   */
  apiKey: string;
  /** The upstream root; point it at the emulator or a gateway to use those instead. */
  baseUrl?: string;
  /**
   * The `fetch` to use (default: the global one). Inject one for tests or service bindings. It is
   * called as `fetch(request, { signal })`: pass `init` on, since the per-attempt timeout and the
   * caller's abort reach the request only through that signal.
   */
  fetch?: FetchLike;
  /** `Authorization` scheme: `Bearer <key>` (default) or Baseten's legacy `Api-Key <key>`. */
  authScheme?: "Bearer" | "Api-Key";
  /** Retries after the first attempt for retryable failures (default 2). */
  maxRetries?: number;
  /**
   * Time allowed for each attempt until the response headers arrive (default 60 000 ms). `Infinity`,
   * or anything from 2^31 ms (about 24.8 days, beyond what timers hold), sets no timer per attempt.
   */
  timeoutMs?: number;
  /** Extra headers sent with every request. */
  headers?: Record<string, string>;
  /** Aborts every request made by this client. */
  signal?: AbortSignal;
}

export const DEFAULT_TIMEOUT_MS = 60_000;
export const DEFAULT_MAX_RETRIES = 2;

/** openapi-fetch's client options, passed to `createClient` (inference first drops `/v1` from `baseUrl`). */
export interface Resolved {
  baseUrl: string;
  fetch: FetchLike;
  headers: Record<string, string>;
}

/** Validates options and prepares what every request needs. Throws what to do when one is wrong. */
export function resolveOptions(options: ClientOptions, defaultBaseUrl: string): Resolved {
  const {
    apiKey,
    authScheme = "Bearer",
    maxRetries = DEFAULT_MAX_RETRIES,
    timeoutMs = DEFAULT_TIMEOUT_MS,
  } = options ?? {};
  // Messages name the option but never echo the key. A key is a token of printable ASCII: fetch would
  // refuse a NUL or a line break later, in an error that quotes the whole header, key and all.
  if (typeof apiKey !== "string" || !/^[!-~]+$/.test(apiKey))
    invalid("apiKey is required (printable ASCII), e.g. from env");
  if (authScheme !== "Bearer" && authScheme !== "Api-Key") invalid('authScheme must be "Bearer" or "Api-Key"');
  if (!Number.isInteger(maxRetries) || maxRetries < 0) invalid("maxRetries must be a whole number >= 0");
  if (!(timeoutMs > 0)) invalid("timeoutMs must be > 0");

  const baseUrl = (options.baseUrl ?? defaultBaseUrl).replace(/\/+$/, "");
  if (!URL.canParse(baseUrl)) invalid(`baseUrl must be an absolute URL, got ${JSON.stringify(baseUrl)}`);

  const fetch = options.fetch ?? globalFetch();
  return {
    baseUrl,
    headers: { ...options.headers, authorization: `${authScheme} ${apiKey}` },
    fetch: withPolicy({ fetch, maxRetries, timeoutMs, signal: options.signal }),
  };
}

function invalid(message: string): never {
  throw new InvalidArgumentError(`${message}.`);
}

function globalFetch(): FetchLike {
  // Called through globalThis so runtimes that check the receiver (Workers, browsers) accept it.
  return (request, init) => globalThis.fetch(request, init);
}
