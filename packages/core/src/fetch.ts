// The fetch wrapper every client call goes through: per-attempt timeouts, retries with backoff.
import { ConnectionError, retryAfterMs, TimeoutError } from "./errors.ts";

/**
 * A `fetch` as the clients call it: one `Request` in, one `Response` out. Each attempt's signal (the
 * per-attempt timeout and the caller's abort) comes in `init`, not on the Request, so a fetch must
 * pass `init` on (`(request, init) => fetch(request, init)`); one that ignores it cannot be aborted.
 */
export type FetchLike = (request: Request, init?: { signal?: AbortSignal }) => Promise<Response>;

export interface FetchPolicy {
  fetch: FetchLike;
  /** Retries after the first attempt. */
  maxRetries: number;
  /**
   * Time allowed for each attempt until the response headers arrive; `Infinity` (or anything from
   * 2^31 ms, which timers cannot hold: they would fire at once): no timer per attempt (for callers
   * that bound the whole wait themselves, as the gateway's relay does).
   */
  timeoutMs: number;
  /** Aborts every request of the client. */
  signal?: AbortSignal | undefined;
  /**
   * How long to wait before sending again after `response`, or null to hand it back (default:
   * the rules of `withPolicy`). The gateway's relay passes its own limits here.
   */
  retryWait?: ((response: Response, idempotent: boolean) => number | null) | undefined;
}

/**
 * Wraps `policy.fetch` so that each attempt has a timeout (combined with the caller's signal) and
 * failed attempts are retried:
 * - GET/HEAD: connection errors, timeouts, 408, 409, 429 and 5xx.
 * - Anything else (POST): only when the upstream provably did not start on the request: the
 *   connection was refused or the host unknown, a 429, or a 503 that says when to come back.
 * A response is returned as soon as its headers arrive, so a body that has started is never retried.
 */
export function withPolicy(policy: FetchPolicy): FetchLike {
  return (request) => {
    // Each Request has a signal of its own; combined once per call, and only when the client has one.
    const caller = policy.signal ? AbortSignal.any([request.signal, policy.signal]) : request.signal;
    const idempotent = request.method === "GET" || request.method === "HEAD";
    // The first attempt sends the Request as it was built. A body that a retry may send again is read
    // once, so that every attempt sends the same bytes (they are JSON the client built).
    return request.body && policy.maxRetries
      ? request
          .arrayBuffer()
          .then((body) => sendWithRetries(policy, idempotent, caller, () => new Request(request, { body })))
      : sendWithRetries(policy, idempotent, caller, () => request);
  };
}

/**
 * The retry loop of `withPolicy`, for callers that build each attempt's Request themselves (the
 * gateway's relay sends its checked bytes once, a copy only on a retry). Each attempt's signal goes
 * to `policy.fetch` in `init`, and to `attempt` for a caller that also puts it on the Request: it is
 * aborted with a TimeoutError when the headers are late, or with `caller`'s reason — also later,
 * while the body of the response handed back streams. That attempt's listener stays on `caller`
 * until then, so `caller` must be the call's own, not one that outlives it (a client's, or one a
 * caller reuses: `AbortSignal.any` follows those without holding on to the call).
 */
export async function sendWithRetries(
  policy: FetchPolicy,
  idempotent: boolean,
  caller: AbortSignal,
  attempt: (signal: AbortSignal) => Request,
): Promise<Response> {
  for (let index = 0; ; index++) {
    const retriesLeft = index < policy.maxRetries;
    caller.throwIfAborted();
    // A listener rather than `AbortSignal.any` (cheaper); removed when the attempt is not the answer.
    const current = new AbortController();
    const forward = () => current.abort(caller.reason);
    caller.addEventListener("abort", forward);
    const timer =
      policy.timeoutMs < 2 ** 31
        ? setTimeout(() => current.abort(new TimeoutError(policy.timeoutMs)), policy.timeoutMs)
        : undefined;
    // -1: back off; a number of ms: wait that long; null: hand the response back.
    let wait: number | null = -1;
    try {
      const response = await policy.fetch(attempt(current.signal), { signal: current.signal });
      wait = retriesLeft ? (policy.retryWait ?? defaultWait)(response, idempotent) : null;
      if (wait === null) return response;
      await response.body?.cancel().catch(() => {});
    } catch (error) {
      caller.throwIfAborted();
      const timeout = current.signal.reason;
      const timedOut = timeout instanceof TimeoutError;
      if (!retriesLeft || !(idempotent || (!timedOut && neverReachedServer(error))))
        throw timedOut
          ? timeout
          : new ConnectionError(`Connection error: ${(error as Error)?.message ?? error}`, { cause: error });
    } finally {
      clearTimeout(timer);
      // The answer's body may still stream: the caller's abort must reach it until the end.
      if (wait !== null) caller.removeEventListener("abort", forward);
    }
    await abortableSleep((wait as number) < 0 ? backoffMs(index, Math.random) : (wait as number), caller);
  }
}

/** `withPolicy`'s rule: -1 (back off) or the Retry-After wait, or null when `response` is final. */
function defaultWait(response: Response, idempotent: boolean): number | null {
  const { status, headers } = response;
  // A rate limiter's 429, or a 503 with Retry-After, means the request was turned away unprocessed.
  if (
    idempotent
      ? status < 500 && ![408, 409, 429].includes(status)
      : status !== 429 && !(status === 503 && headers.has("retry-after"))
  )
    return null;
  // A wait asked for of up to 60 s is honoured; a longer one, or none, gets the backoff.
  const asked = retryAfterMs(headers);
  return asked !== null && asked <= 60_000 ? asked : -1;
}

/** Exponential backoff 0.5 s → 8 s, minus up to 25 % jitter so clients do not retry in lockstep. */
export function backoffMs(attempt: number, random: () => number): number {
  const base = Math.min(500 * 2 ** attempt, 8_000);
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
    /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|connection ?refused/i.test(`${code} ${message}`) ||
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
