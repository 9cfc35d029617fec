// Error answers of the catalog routes: Baseten's documented shape, upstream failures, 404/405, 500.
import { BasetenError, RateLimitError } from "@baseten-edge/core";
import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import { UpstreamAuthError } from "../catalog.ts";
import { clip } from "../echo.ts";
import { LookupLimited } from "../lookup-budget.ts";
import type { GatewayEvent } from "../options.ts";
import type { Env, ErrorProtocol, RouteTable } from "./table.ts";

/** Answers in Baseten's documented error shape, `{"error": "<message>"}`. */
export function error(c: Context<Env>, status: number, message: string): Response {
  return c.json({ error: message }, status as 400);
}

/**
 * An error's name for logs, with its message only when core wrote it (core's messages never carry
 * keys). A runtime's message may quote what it refused, such as a header value with a key in it.
 */
export function errorName(error: unknown): string {
  if (BasetenError.isInstance(error)) return `${error.name}: ${error.message}`;
  return error instanceof Error ? error.name : "unknown error";
}

/** Maps an upstream failure to an answer: the caller's auth error, a 429, or a clear 503. */
export function upstreamFailure(c: Context<Env>, thrown: unknown, log: (event: GatewayEvent) => void): Response {
  if (thrown instanceof UpstreamAuthError) return error(c, thrown.status, thrown.upstreamMessage);
  if (thrown instanceof LookupLimited) {
    c.header("retry-after", String(thrown.retryAfterSeconds));
    return error(c, 429, thrown.message);
  }
  if (thrown instanceof RateLimitError) return rateLimited(c, thrown);
  log({ event: "upstream_error", error: errorName(thrown) });
  return error(c, 503, "The catalog is unavailable: Baseten did not answer and no cached copy is recent enough.");
}

function rateLimited(c: Context<Env>, thrown: RateLimitError): Response {
  if (thrown.retryAfterMs !== null) c.header("retry-after", String(Math.ceil(thrown.retryAfterMs / 1000)));
  // Baseten's own words, as a drop-in passes them on (the status prefix is core's).
  const upstream = thrown.message.replace(/^\d+\s*/, "");
  return error(
    c,
    429,
    upstream && !upstream.startsWith("(") ? upstream : "Baseten rate-limited the catalog request; try again later.",
  );
}

/** 405 with `Allow` for a registered path asked with another method (in the route's protocol), else 404. */
export function notFound(routes: RouteTable): NotFoundHandler<Env> {
  return (c) => {
    const path = new URL(c.req.url).pathname;
    const route = routes.allowed(path);
    if (!route) return error(c, 404, `No such route: ${clip(c.req.method)} ${clip(path)}.`);
    const message = `Method ${c.req.method} is not allowed here; use ${route.allow}.`;
    const answer = inRouteProtocol(c, route.protocol, 405, message);
    answer.headers.set("allow", route.allow);
    return answer;
  };
}

/**
 * Anything a handler did not answer itself: a 500 that names nothing internal, in the route's
 * protocol (an SDK reads an OpenAI or Anthropic error where it expects one), and a log event.
 */
export function internalError(routes: RouteTable, log: (event: GatewayEvent) => void): ErrorHandler<Env> {
  return (thrown, c) => {
    log({ event: "internal_error", error: errorName(thrown) });
    const protocol = routes.allowed(new URL(c.req.url).pathname)?.protocol ?? null;
    return inRouteProtocol(c, protocol, 500, "Internal gateway error.");
  };
}

/** An error in the protocol a route answers this request in, else Baseten's shape. */
function inRouteProtocol(c: Context<Env>, protocol: ErrorProtocol, status: number, message: string): Response {
  const chosen = typeof protocol === "function" ? protocol(c.req.raw) : protocol;
  return chosen ? chosen.error(status, message) : error(c, status, message);
}
