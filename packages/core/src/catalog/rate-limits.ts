// Rate limits in one unit: per minute, the strictest limit of each type.
import type { RateLimit } from "../types.ts";

export interface PerMinuteLimits {
  /** Requests a minute, or null when no request limit applies. */
  requestsPerMinute: number | null;
  /** Tokens a minute, or null when no token limit applies. */
  tokensPerMinute: number | null;
}

/**
 * Normalises a Model API's `rate_limits` to per-minute figures (a per-second limit counts 60×).
 *
 * @example
 * ```ts
 * import { rateLimitsPerMinute } from "@baseten-edge/core";
 * rateLimitsPerMinute([{ type: "REQUEST", unit: "SECOND", threshold: 2 }]); // { requestsPerMinute: 120, tokensPerMinute: null }
 * ```
 */
export function rateLimitsPerMinute(limits: readonly RateLimit[]): PerMinuteLimits {
  const result: PerMinuteLimits = { requestsPerMinute: null, tokensPerMinute: null };
  for (const { type, unit, threshold } of limits) {
    const perMinute = unit === "SECOND" ? threshold * 60 : threshold;
    const key = type === "REQUEST" ? "requestsPerMinute" : "tokensPerMinute";
    const current = result[key];
    result[key] = current === null ? perMinute : Math.min(current, perMinute);
  }
  return result;
}
