// Rate limits in one unit: per minute (concurrency as given), the strictest limit of each type.
import type { RateLimit } from "../types.ts";

/** A rate limit as it arrives: typed from the spec, but a newer upstream may send values the spec lacks. */
export type RateLimitLike = RateLimit | { type: string; unit: string; threshold: number };

export interface PerMinuteLimits {
  /** Requests a minute (`REQUEST`), or null when no such limit applies. */
  requestsPerMinute: number | null;
  /** Tokens a minute, input and output together (`TOKEN`), or null. */
  tokensPerMinute: number | null;
  /** Input tokens not served from the prompt cache, a minute (`UNCACHED_INPUT_TOKEN`), or null. */
  uncachedInputTokensPerMinute: number | null;
  /** Output tokens a minute (`OUTPUT_TOKEN`), or null. */
  outputTokensPerMinute: number | null;
  /** Requests in flight at once (`CONCURRENT_REQUEST`): a count, not a rate, so its unit is ignored. */
  concurrentRequests: number | null;
  /**
   * Limits this version does not understand (a type or unit newer than its spec), as received:
   * reported rather than miscounted.
   */
  unrecognised: RateLimitLike[];
}

type RateKey = Exclude<keyof PerMinuteLimits, "unrecognised">;

const KEY_BY_TYPE: Readonly<Record<string, RateKey>> = {
  REQUEST: "requestsPerMinute",
  TOKEN: "tokensPerMinute",
  UNCACHED_INPUT_TOKEN: "uncachedInputTokensPerMinute",
  OUTPUT_TOKEN: "outputTokensPerMinute",
  CONCURRENT_REQUEST: "concurrentRequests",
};

/**
 * Normalises a Model API's `rate_limits`, keeping each limit type apart: rates per minute (a
 * per-second limit counts 60×), concurrency as a plain count. A threshold of 0 is reported as 0.
 * A type or unit this version does not know goes to `unrecognised`, untouched.
 *
 * @example
 * ```ts
 * import { rateLimitsPerMinute } from "@baseten-edge/core";
 * const limits = rateLimitsPerMinute([
 *   { type: "REQUEST", unit: "SECOND", threshold: 2 },
 *   { type: "CONCURRENT_REQUEST", unit: "MINUTE", threshold: 8 },
 * ]);
 * limits.requestsPerMinute; // 120
 * limits.concurrentRequests; // 8
 * ```
 */
export function rateLimitsPerMinute(limits: readonly RateLimitLike[]): PerMinuteLimits {
  const result = { unrecognised: [] } as unknown as PerMinuteLimits;
  for (const key of Object.values(KEY_BY_TYPE)) result[key] = null;
  for (const limit of limits) {
    const { type, unit, threshold } = limit;
    const key = Object.hasOwn(KEY_BY_TYPE, type) ? KEY_BY_TYPE[type] : undefined;
    // Concurrency is a count, so its unit says nothing; an unknown unit is never guessed at.
    const factor = key === "concurrentRequests" ? 1 : unit === "SECOND" ? 60 : unit === "MINUTE" ? 1 : 0;
    if (!key || !factor || !Number.isFinite(threshold) || threshold < 0) {
      result.unrecognised.push({ ...limit });
      continue;
    }
    const current = result[key];
    result[key] = current === null ? threshold * factor : Math.min(current, threshold * factor);
  }
  return result;
}
