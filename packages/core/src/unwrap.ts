// Turns openapi-fetch's { data, error, response } into a value or a typed ApiError.
import { ApiError } from "./errors.ts";

/** Returns the body of a 2xx answer; throws the ApiError subclass that matches any other status. */
export function unwrap<T>({ data, error, response }: { data?: T; error?: unknown; response: Response }): T {
  if (!response.ok) throw ApiError.from(response.status, response.headers, error ?? null);
  return data as T;
}
