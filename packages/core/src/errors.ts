// Typed errors: one branded base class, a subclass per HTTP status family, and the network failures.

const brand = Symbol.for("baseten-edge.error");

/**
 * The base of every error this package throws. Use `BasetenError.isInstance(e)` rather than
 * `instanceof` when two copies of the package may be loaded (bundled twice, npm + JSR).
 *
 * @example
 * ```ts
 * import { BasetenError } from "@baseten-edge/core";
 * try {
 *   throw new BasetenError("boom");
 * } catch (e) {
 *   if (BasetenError.isInstance(e)) console.log(e.message);
 * }
 * ```
 */
export class BasetenError extends Error {
  readonly [brand] = true;
  override name = "BasetenError";

  /** True for any error thrown by any copy of this package. */
  static isInstance(value: unknown): value is BasetenError {
    return (value as Record<symbol, unknown> | null | undefined)?.[brand] === true;
  }
}

/** A caller's argument or option that cannot be sent as it is. Nothing was requested. */
export class InvalidArgumentError extends BasetenError {
  override name = "InvalidArgumentError";
}

/** The request could not reach the upstream, or the connection broke before an answer completed. */
export class ConnectionError extends BasetenError {
  override name = "ConnectionError";
}

/** No answer came within `timeoutMs`. */
export class TimeoutError extends ConnectionError {
  override name = "TimeoutError";
  constructor(timeoutMs: number) {
    super(`Request timed out after ${timeoutMs} ms`);
  }
}

/**
 * The upstream answered with an HTTP error. `status`, `headers`, the parsed `body` and Baseten's
 * request id are kept; `message` is the upstream's own message when it sent one.
 */
export class ApiError extends BasetenError {
  override name = "ApiError";
  readonly status: number;
  readonly headers: Headers;
  /** The parsed JSON body, or its text when it was not JSON. */
  readonly body: unknown;
  /** `X-Baseten-Request-Id`, to quote when asking Baseten for help. */
  readonly requestId: string | null;
  /** The machine-readable `code` or `type` when the body carried one. */
  readonly code: string | null;

  constructor(status: number, headers: Headers, body: unknown, message?: string) {
    const parsed = parseErrorBody(body);
    super(message ?? `${status} ${parsed.message ?? "(no message)"}`);
    this.status = status;
    this.headers = headers;
    this.body = body;
    this.requestId = headers.get("x-baseten-request-id");
    this.code = parsed.code;
  }

  /** Builds the subclass that matches `status`. */
  static from(status: number, headers: Headers, body: unknown): ApiError {
    const Class = status >= 500 ? InternalServerError : (byStatus[status] ?? ApiError);
    return new Class(status, headers, body);
  }
}

/** 400: the request was malformed or had invalid parameters. */
export class BadRequestError extends ApiError {
  override name = "BadRequestError";
}
/** 401: the API key is missing or invalid. */
export class AuthenticationError extends ApiError {
  override name = "AuthenticationError";
}
/** 403: the key may not do this. Baseten also answers 403 for an unknown model. */
export class PermissionDeniedError extends ApiError {
  override name = "PermissionDeniedError";
}
/** 404: no such resource (or model). */
export class NotFoundError extends ApiError {
  override name = "NotFoundError";
}
/** 409: the request conflicts with the resource's state. */
export class ConflictError extends ApiError {
  override name = "ConflictError";
}
/** 422: the request was well-formed but could not be processed. */
export class UnprocessableEntityError extends ApiError {
  override name = "UnprocessableEntityError";
}
/** 429: rate limited. `retryAfterMs` says when to try again, when the upstream said. */
export class RateLimitError extends ApiError {
  override name = "RateLimitError";
  readonly retryAfterMs: number | null;
  constructor(status: number, headers: Headers, body: unknown) {
    super(status, headers, body);
    const fromBody = (body as { retry_after?: unknown } | null)?.retry_after;
    this.retryAfterMs =
      retryAfterMs(headers) ?? (typeof fromBody === "number" && fromBody >= 0 ? fromBody * 1000 : null);
  }
}
/** 5xx: the upstream failed. GETs are retried before this is thrown. */
export class InternalServerError extends ApiError {
  override name = "InternalServerError";
}

const byStatus: Record<number, typeof ApiError> = {
  400: BadRequestError,
  401: AuthenticationError,
  403: PermissionDeniedError,
  404: NotFoundError,
  409: ConflictError,
  422: UnprocessableEntityError,
  429: RateLimitError,
};

/**
 * Reads the error body shapes Baseten sends — `{"error": "msg"}`, `{"error": {message, type, param, code}}`,
 * a top-level `{message, type, code}` — and `application/problem+json` (`detail`, else `title`, as
 * FastAPI's `{"detail": "msg"}` too), following `error` objects nested inside `error`.
 *
 * @example
 * ```ts
 * import { parseErrorBody } from "@baseten-edge/core/internal";
 * parseErrorBody({ title: "Unauthorized", detail: "Invalid API key" }).message; // "Invalid API key"
 * ```
 */
export function parseErrorBody(body: unknown): { message: string | null; code: string | null } {
  if (typeof body === "string") return { message: body.trim() || null, code: null };
  let record = (body ?? {}) as Record<string, unknown>;
  // `{"error": {"error": {...}}}` happens behind proxies: the innermost object speaks.
  while (typeof record.error === "object" && record.error) record = record.error as Record<string, unknown>;
  const message = [record.error, record.message, record.detail, record.title].find(
    (text) => typeof text === "string" && text.trim(),
  ) as string | undefined;
  const code = record.code ?? record.type;
  return {
    message: message ?? null,
    code: typeof code === "string" || typeof code === "number" ? String(code) : null,
  };
}

/**
 * The wait a response asks for, from `retry-after-ms`, or `retry-after` in seconds or as an HTTP
 * date; null when absent or unreadable.
 */
export function retryAfterMs(headers: Headers, now: number = Date.now()): number | null {
  const ms = Number.parseFloat(headers.get("retry-after-ms") ?? "");
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const value = headers.get("retry-after");
  if (!value?.trim()) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds >= 0 ? seconds * 1000 : null;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}
