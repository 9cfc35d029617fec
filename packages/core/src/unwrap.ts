// Turns openapi-fetch's { data, error, response } into a checked value or a typed ApiError.
import { ApiError } from "./errors.ts";

/**
 * Returns the body of a 2xx answer, read with `parseAs: "text"` (so that a parse failure is ours to
 * report) or `"stream"`; throws the ApiError subclass that matches any other status. Text is parsed
 * as JSON; a stream comes back as it is. A body that is not
 * an object, or that fails `fits` (the top-level shape the caller reads; by default: not an array),
 * throws an ApiError with the status rather than a SyntaxError or a TypeError further on: every
 * error is a BasetenError.
 */
export function unwrap<T>(
  { data, error, response }: { data?: unknown; error?: unknown; response: Response },
  fits: (body: Record<string, unknown>) => unknown = (body) => !Array.isArray(body),
): T {
  const { ok, status, headers } = response;
  if (!ok) throw ApiError.from(status, headers, error ?? null);
  let body = data;
  if (typeof data === "string")
    try {
      body = JSON.parse(data);
    } catch {}
  if (body instanceof Object && fits(body as Record<string, unknown>)) return body as T;
  throw new ApiError(status, headers, body ?? null, `Baseten answered ${status} with an unexpected body.`);
}
