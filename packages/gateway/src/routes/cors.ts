// CORS for browser callers: preflights are answered here from the allowlist and never reach Baseten.
import type { MiddlewareHandler } from "hono";
import { cors } from "hono/cors";

/**
 * The CORS middleware for `origins` (`*` for any). Any request header may be sent (`*`): the SDKs send
 * their own (`X-Stainless-*`, `Anthropic-Dangerous-Direct-Browser-Access`), and the relay forwards only
 * its allowlist whatever arrives. The headers the gateway reads are named too: `*` does not cover
 * `Authorization`, and names it for browsers without the wildcard. No cookies: no credentials mode.
 */
export function corsFor(origins: readonly string[]): MiddlewareHandler {
  return cors({
    origin: origins.includes("*") ? "*" : [...origins],
    allowMethods: ["GET", "HEAD", "POST", "OPTIONS"],
    allowHeaders: [
      "Authorization",
      "Content-Type",
      "X-Api-Key",
      "X-Session-Affinity",
      "Anthropic-Version",
      "Anthropic-Beta",
      "If-None-Match",
      "*",
    ],
    exposeHeaders: [
      "X-Cache",
      "X-Request-Id",
      "X-Baseten-Edge-Cost-Usd",
      "X-Baseten-Request-Id",
      "ETag",
      "Age",
      "Retry-After",
    ],
    maxAge: 600,
  });
}
