// CORS for browser callers: preflights are answered here from the allowlist and never reach Baseten.
import type { MiddlewareHandler } from "hono";
import { cors } from "hono/cors";

/** The CORS middleware for `origins` (`*` for any). */
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
