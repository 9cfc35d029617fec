// The fetch wrapper every client call goes through: per-attempt timeouts, retries with backoff.
import { ConnectionError, retryAfterMs, TimeoutError } from "./errors.ts";

/** A `fetch` as the clients call it: one `Request` in, one `Response` out. */
export type FetchLike = (request: Request) => Promise<Response>;

export interface FetchPolicy {
  fetch: FetchLike;
  /** Retries after the first attempt. */
  maxRetries: number;
  /** Time allowed for each attempt until the response headers arrive. */
  timeoutMs: number;
  /** Aborts every request of the client. */
  signal?: AbortSignal | undefined;
  /** Waits `ms`; replaceable so tests can count waits without real time. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Jitter source in [0, 1). */
  random?: () => number;
}

const MAX_RETRY_AFTER_MS = 60_000;
const INITIAL_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 8_000;
const RETRYABLE_STATUS = new Set([408, 409, 429]);

/**
 * Wraps `policy.fetch` so that each attempt has a timeout (combined with the caller's signal) and
 * failed attempts are retried:
 * - GET/HEAD: connection errors, timeouts, 408, 409, 429 and 5xx.
 * - Anything else (POST): only when the upstream provably did not start on the request: the
 *   connection was refused or the host unknown, a 429, or a 503 that says when to come back.
 * A response is returned as soon as its headers arrive, so a body that has started is never retried.
 */
export function withPolicy(policy: FetchPolicy): FetchLike {
  const sleep = policy.sleep ?? abortableSleep;
  const random = policy.random ?? Math.random;

  return async function policyFetch(request) {
    const idempotent = request.method === "GET" || request.method === "HEAD";
    // Bodies are JSON the client built, so holding them lets every attempt send the same bytes.
    const body = request.body ? await request.arrayBuffer() : null;
    // Combined once per call, and only when the client has a signal of its own.
    const caller = policy.signal ? AbortSignal.any([request.signal, policy.signal]) : request.signal;

    for (let attempt = 0; ; attempt++) {
      const retriesLeft = attempt < policy.maxRetries;
      caller.throwIfAborted();
      // The attempt's own signal: aborted with a TimeoutError when the headers are late, or with the
      // caller's reason — also later, while the body streams, so the listener stays. No leak: `caller`
      // is per call (a Request's signal is its own), and this is cheaper than `AbortSignal.any`.
      const current = new AbortController();
      caller.addEventListener("abort", () => current.abort(caller.reason));
      const timer = setTimeout(() => current.abort(new TimeoutError(policy.timeoutMs)), policy.timeoutMs);
      let response: Response;
      try {
        // One Request per attempt: the body bytes are reused and the attempt's signal replaces the caller's.
        response = await policy.fetch(new Request(request, { body, signal: current.signal }));
      } catch (error) {
        caller.throwIfAborted();
        const timeout = current.signal.reason;
        const timedOut = timeout instanceof TimeoutError;
        if (!retriesLeft || !(idempotent || (!timedOut && neverReachedServer(error))))
          throw timedOut
            ? timeout
            : new ConnectionError(`Connection error: ${(error as Error)?.message ?? String(error)}`, { cause: error });
        await sleep(backoffMs(attempt, random), caller);
        continue;
      } finally {
        clearTimeout(timer);
      }

      if (!retriesLeft || !shouldRetry(response, idempotent)) return response;
      const asked = retryAfterMs(response.headers);
      await response.body?.cancel().catch(() => {});
      const wait = asked !== null && asked <= MAX_RETRY_AFTER_MS ? asked : backoffMs(attempt, random);
      await sleep(wait, caller);
    }
  };
}

function shouldRetry(response: Response, idempotent: boolean): boolean {
  const { status, headers } = response;
  if (idempotent) return RETRYABLE_STATUS.has(status) || status >= 500;
  // A rate limiter's 429, or a 503 with Retry-After, means the request was turned away unprocessed.
  return status === 429 || (status === 503 && headers.has("retry-after"));
}

/** Exponential backoff 0.5 s → 8 s, minus up to 25 % jitter so clients do not retry in lockstep. */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(INITIAL_BACKOFF_MS * 2 ** attempt, MAX_BACKOFF_MS);
  return base * (1 - 0.25 * random());
}

/**
 * True when a fetch error proves the request never reached a server (connection refused, or no
 * such host), so even a POST may be sent again. Node reports these as codes on `cause` (or on each
 * of an AggregateError's `errors`), Bun as `ConnectionRefused`, Deno in the message.
 */
export function neverReachedServer(error: unknown, depth = 0): boolean {
  if (typeof error !== "object" || error === null || depth > 3) return false;
  const { code, message, cause, errors } = error as Record<string, unknown>;
  return (
    /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ConnectionRefused|connection refused/i.test(`${code} ${message}`) ||
    neverReachedServer(cause, depth + 1) ||
    (Array.isArray(errors) && errors.some((e) => neverReachedServer(e, depth + 1)))
  );
}

/**
 * Waits `ms`, or rejects with the signal's reason as soon as it aborts; leaves no listener behind.
 * A wait of zero or less resolves at once unless the signal has already aborted.
 */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
