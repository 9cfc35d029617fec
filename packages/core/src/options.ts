// Options shared by both clients, checked once, turned into headers and a policy-wrapped fetch.
import { InvalidArgumentError } from "./errors.ts";
import { type FetchLike, withPolicy } from "./fetch.ts";

/** Options both clients accept. */
export interface ClientOptions {
  /** Your Baseten API key. Sent only in the `Authorization` header, never logged. */
  apiKey: string;
  /** The upstream root; point it at the emulator or a gateway to use those instead. */
  baseUrl?: string;
  /** The `fetch` to use (default: the global one). Inject one for tests or service bindings. */
  fetch?: FetchLike;
  /** `Authorization` scheme: `Bearer <key>` (default) or Baseten's legacy `Api-Key <key>`. */
  authScheme?: "Bearer" | "Api-Key";
  /** Retries after the first attempt for retryable failures (default 2). */
  maxRetries?: number;
  /** Time allowed for each attempt until the response headers arrive (default 60 000 ms). */
  timeoutMs?: number;
  /** Extra headers sent with every request. */
  headers?: Record<string, string>;
  /** Aborts every request made by this client. */
  signal?: AbortSignal;
}

export const DEFAULT_TIMEOUT_MS = 60_000;
export const DEFAULT_MAX_RETRIES = 2;

export interface Resolved {
  baseUrl: string;
  fetch: FetchLike;
  headers: Record<string, string>;
}

/** Validates options and prepares what every request needs. Throws what to do when one is wrong. */
export function resolveOptions(options: ClientOptions, defaultBaseUrl: string): Resolved {
  if (typeof options !== "object" || options === null) {
    throw new InvalidArgumentError("Pass an options object, e.g. { apiKey: env.BASETEN_API_KEY }.");
  }
  const { apiKey, authScheme = "Bearer" } = options;
  if (typeof apiKey !== "string" || apiKey.trim() === "") {
    throw new InvalidArgumentError(
      "apiKey is required: pass { apiKey: env.BASETEN_API_KEY } (the key is sent only in the Authorization header).",
    );
  }
  if (/[\r\n]/.test(apiKey)) throw new InvalidArgumentError("apiKey must not contain line breaks.");
  if (authScheme !== "Bearer" && authScheme !== "Api-Key") {
    throw new InvalidArgumentError('authScheme must be "Bearer" or "Api-Key".');
  }
  const maxRetries = options.maxRetries ?? DEFAULT_MAX_RETRIES;
  if (!Number.isInteger(maxRetries) || maxRetries < 0) {
    throw new InvalidArgumentError("maxRetries must be a whole number >= 0.");
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!(timeoutMs > 0)) throw new InvalidArgumentError("timeoutMs must be a number of milliseconds > 0.");

  const baseUrl = (options.baseUrl ?? defaultBaseUrl).replace(/\/+$/, "");
  try {
    new URL(baseUrl);
  } catch {
    throw new InvalidArgumentError(`baseUrl must be an absolute URL, got ${JSON.stringify(baseUrl)}.`);
  }

  const fetch = options.fetch ?? globalFetch();
  return {
    baseUrl,
    headers: { ...options.headers, authorization: `${authScheme} ${apiKey}` },
    fetch: withPolicy({ fetch, maxRetries, timeoutMs, signal: options.signal }),
  };
}

function globalFetch(): FetchLike {
  if (typeof globalThis.fetch !== "function") {
    throw new InvalidArgumentError(
      "No global fetch in this runtime: pass one as the `fetch` option (Node >= 18, Workers, Deno, Bun and browsers have it).",
    );
  }
  // Called through globalThis so runtimes that check the receiver (Workers, browsers) accept it.
  return (request) => globalThis.fetch(request);
}

/** `{ signal }` only when there is one (exactOptionalPropertyTypes forbids `signal: undefined`). */
export function signalOf(options: { signal?: AbortSignal | undefined }): { signal?: AbortSignal } {
  return options.signal ? { signal: options.signal } : {};
}
