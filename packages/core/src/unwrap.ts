// Turns openapi-fetch's { data, error, response } into a value or a typed ApiError.
import { ApiError } from "./errors.ts";

/** Returns the body of a 2xx answer; throws the ApiError subclass that matches any other status. */
export async function unwrap<T>(
  call: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<{ data: T; response: Response }> {
  const { data, error, response } = await call;
  if (!response.ok) throw ApiError.from(response.status, response.headers, error ?? null);
  return { data: data as T, response };
}
