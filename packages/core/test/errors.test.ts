import { describe, expect, it } from "vitest";
import {
  ApiError,
  AuthenticationError,
  BadRequestError,
  BasetenError,
  ConflictError,
  createInferenceClient,
  InternalServerError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  UnprocessableEntityError,
} from "../src/index.ts";
import { parseErrorBody, retryAfterMs } from "../src/internal.ts";
import { json, recordingFetch } from "./helpers.ts";

const chat = { model: "m", messages: [{ role: "user" as const, content: "hi" }] };

describe("parseErrorBody", () => {
  it("reads Baseten's documented {error: string} body", () => {
    expect(parseErrorBody({ error: "please check the api-key you provided" })).toEqual({
      message: "please check the api-key you provided",
      code: null,
    });
  });

  it("reads the OpenAI-style {error: {message, type, param, code}} body", () => {
    expect(
      parseErrorBody({ error: { message: "bad n", type: "invalid_request_error", param: "n", code: "n_not_1" } }),
    ).toEqual({
      message: "bad n",
      code: "n_not_1",
    });
  });

  it("reads a top-level {message, type, code} body", () => {
    expect(parseErrorBody({ message: "slow down", type: "rate_limit", code: 429 })).toEqual({
      message: "slow down",
      code: "429",
    });
  });

  it("reads application/problem+json: detail, else title", () => {
    expect(
      parseErrorBody({ type: "about:blank", title: "Unauthorized", status: 401, detail: "Invalid API key" }).message,
    ).toBe("Invalid API key");
    expect(parseErrorBody({ title: "Unauthorized", status: 401 }).message).toBe("Unauthorized");
  });

  it("reads FastAPI's detail and nested error objects", () => {
    expect(parseErrorBody({ detail: "Not authenticated" }).message).toBe("Not authenticated");
    expect(parseErrorBody({ error: { error: { message: "inner", code: "deep" } } })).toEqual({
      message: "inner",
      code: "deep",
    });
  });

  it("makes the ApiError message from a problem+json body instead of '(no message)'", () => {
    const error = ApiError.from(401, new Headers({ "content-type": "application/problem+json" }), {
      title: "Unauthorized",
      detail: "API key expired",
    });
    expect(error.message).toBe("401 API key expired");
  });

  it("keeps a text body as the message and tolerates empty ones", () => {
    expect(parseErrorBody("upstream timeout\n").message).toBe("upstream timeout");
    expect(parseErrorBody(null)).toEqual({ message: null, code: null });
  });
});

describe("status to error class", () => {
  it.each([
    [400, BadRequestError],
    [401, AuthenticationError],
    [403, PermissionDeniedError],
    [404, NotFoundError],
    [409, ConflictError],
    [422, UnprocessableEntityError],
    [429, RateLimitError],
    [500, InternalServerError],
    [502, InternalServerError],
    [504, InternalServerError],
    [402, ApiError],
  ])("maps %i to %o and keeps status, body, headers and request id", async (status, Class) => {
    const server = recordingFetch(() =>
      json({ error: { message: "nope", type: "t" } }, status, { "x-baseten-request-id": "req-1", "retry-after": "0" }),
    );
    const client = createInferenceClient({ apiKey: "k", fetch: server.fetch, maxRetries: 0 });
    const error = (await client.chat.completions.create(chat).catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(Class);
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(status);
    expect(error.body).toEqual({ error: { message: "nope", type: "t" } });
    expect(error.requestId).toBe("req-1");
    expect(error.code).toBe("t");
    expect(error.message).toBe(`${status} nope`);
    expect(BasetenError.isInstance(error)).toBe(true);
  });

  it("gives a 429 the wait it asked for, from the header or the body", () => {
    const fromHeader = ApiError.from(429, new Headers({ "retry-after": "3" }), { error: "x" }) as RateLimitError;
    expect(fromHeader.retryAfterMs).toBe(3000);
    const fromBody = ApiError.from(429, new Headers(), { error: "x", retry_after: 37 }) as RateLimitError;
    expect(fromBody.retryAfterMs).toBe(37_000);
    expect((ApiError.from(429, new Headers(), {}) as RateLimitError).retryAfterMs).toBeNull();
  });
});

describe("BasetenError.isInstance", () => {
  it("recognises errors from another copy of the package by their brand", () => {
    const foreign = Object.assign(new Error("x"), { [Symbol.for("baseten-edge.error")]: true });
    expect(BasetenError.isInstance(foreign)).toBe(true);
    expect(BasetenError.isInstance(new Error("x"))).toBe(false);
    expect(BasetenError.isInstance(null)).toBe(false);
  });
});

describe("retryAfterMs", () => {
  const now = Date.parse("2026-01-01T00:00:00Z");
  it("prefers retry-after-ms", () => {
    expect(retryAfterMs(new Headers({ "retry-after-ms": "250", "retry-after": "9" }), now)).toBe(250);
  });
  it("reads retry-after in seconds", () => {
    expect(retryAfterMs(new Headers({ "retry-after": "1.5" }), now)).toBe(1500);
  });
  it("reads retry-after as an HTTP date", () => {
    expect(retryAfterMs(new Headers({ "retry-after": "Thu, 01 Jan 2026 00:00:05 GMT" }), now)).toBe(5000);
  });
  it("returns null for absent or unreadable values", () => {
    expect(retryAfterMs(new Headers(), now)).toBeNull();
    expect(retryAfterMs(new Headers({ "retry-after": "soon" }), now)).toBeNull();
    expect(retryAfterMs(new Headers({ "retry-after": "-1" }), now)).toBeNull();
  });
});
