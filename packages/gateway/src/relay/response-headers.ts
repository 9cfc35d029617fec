// The response-header firewall of the relay routes: only headers a client of the OpenAI or
// Anthropic API needs come back from Baseten. Everything else would be served under the gateway's
// own domain: CORS grants (the gateway's CORS decides CORS), HSTS and Alt-Svc for a domain Baseten
// does not run, Cache-Control telling shared caches to keep an answer a year, Location, Refresh,
// cookies, and hop-by-hop headers.

/** Upstream answer headers passed on as they are. */
export const RELAYED_RESPONSE_HEADERS: readonly string[] = [
  "content-type",
  "retry-after",
  "x-request-id",
  "request-id", // Anthropic's request id
  "openai-processing-ms",
];

/**
 * Families passed on by prefix: Baseten's own (`x-baseten-request-id`, `-model-id`…; never
 * `x-baseten-edge-*`, which only the gateway sets), and the rate-limit headers of both protocols
 * (`x-ratelimit-remaining-requests`, `anthropic-ratelimit-tokens-reset`, IETF `ratelimit-policy`).
 */
export const RELAYED_RESPONSE_PREFIXES: readonly string[] = [
  "x-baseten-",
  "x-ratelimit-",
  "anthropic-ratelimit-",
  "ratelimit",
];

/** Longest header value passed on; longer ones are dropped rather than cut (a cut value would lie). */
const MAX_VALUE_LENGTH = 1024;

/** Hop-by-hop headers (RFC 9110 §7.6.1): never passed on, even if allowlisted by a prefix. */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "te",
  "trailer",
  "upgrade",
  "proxy-authenticate",
  "proxy-authorization",
]);

function allowed(name: string): boolean {
  if (RELAYED_RESPONSE_HEADERS.includes(name)) return true;
  if (name.startsWith("x-baseten-edge-")) return false;
  return RELAYED_RESPONSE_PREFIXES.some((prefix) => name.startsWith(prefix));
}

/**
 * The headers of Baseten's answer that may go to the client: the allowlist above, minus
 * hop-by-hop headers and any header the upstream's `Connection` header names.
 */
export function relayedResponseHeaders(upstream: Headers): Headers {
  const connection = upstream.get("connection");
  // `keep-alive` and `close`, nearly every answer's value, name no header beyond the hop-by-hop ones.
  const named =
    connection && !/^\s*(keep-alive|close)\s*$/i.test(connection)
      ? new Set(
          connection
            .split(",")
            .map((token) => token.trim().toLowerCase())
            .filter(Boolean),
        )
      : undefined;
  const headers = new Headers();
  // Headers iterate with lower-case names; the allowlist (a handful of names) is checked first.
  upstream.forEach((value, name) => {
    if (!allowed(name) || HOP_BY_HOP.has(name) || named?.has(name)) return;
    if (value.length > MAX_VALUE_LENGTH) return;
    headers.append(name, value);
  });
  return headers;
}
