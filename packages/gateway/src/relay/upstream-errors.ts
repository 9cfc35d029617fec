// Baseten's error answers, re-said in the route's protocol: an SDK parses them as its own API's errors.
//
// Baseten answers errors as `{"error": "..."}` (or one of its other shapes) whatever the route; OpenAI
// and Anthropic clients read `{"error": {message, type, param, code}}` and
// `{"type": "error", "error": {type, message}}`. The status, Baseten's own message text, its
// request id and any wait it asks for (Retry-After) are kept; only the envelope changes.
import { parseErrorBody } from "@baseten-edge/core/internal";
import { clip } from "../echo.ts";
import type { Protocol } from "./protocols.ts";

/** Routes Baseten may not serve at all: a 404 there means the route, not the model, is missing. */
const OPTIONAL_ROUTES: Record<string, string> = {
  "/v1/messages/count_tokens":
    "Baseten does not serve POST /v1/messages/count_tokens; count tokens from the `usage` of a /v1/messages answer instead.",
};

/**
 * Longest upstream message passed on. Baseten's are a sentence; a hostile or broken upstream's
 * megabyte-long "message" must not become the client's answer.
 */
export const MAX_UPSTREAM_MESSAGE = 1_000;

/** Headers of an error answer that describe the body, and so are rewritten with it. */
const BODY_HEADERS = ["content-type", "content-length", "content-encoding"];

/**
 * Re-says an upstream error answer in `protocol`'s shape.
 *
 * @param status an error status that may carry a body: never 304 or 1xx (the relay answers those itself)
 * @param headers the upstream answer's headers, as the relay passes them on (Retry-After, request ids…)
 */
export function upstreamError(
  protocol: Protocol,
  path: string,
  status: number,
  bytes: ArrayBuffer,
  headers: Headers,
): Response {
  const body = readBody(bytes);
  const parsed = parseErrorBody(body);
  const notServed = status === 404 ? OPTIONAL_ROUTES[path] : undefined;
  const message =
    notServed ?? clip(parsed.message ?? `Baseten answered ${status} without a message.`, MAX_UPSTREAM_MESSAGE);
  const answer = protocol.error(status, message, parsed.code ?? undefined);
  const out = new Headers(headers);
  for (const name of BODY_HEADERS) out.delete(name);
  answer.headers.forEach((value, name) => {
    out.set(name, value);
  });
  const requestId = headers.get("x-baseten-request-id");
  // Anthropic's SDK reports `request-id` as the error's requestID; give it Baseten's.
  if (requestId && protocol.name === "anthropic") out.set("request-id", requestId);
  return new Response(answer.body, { status, headers: out });
}

function readBody(bytes: ArrayBuffer): unknown {
  const text = new TextDecoder().decode(bytes);
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
