// The adversarial fuzz suite: 5,000 hostile bodies, headers and query strings per route. Whatever
// comes in, the gateway answers it itself in the route's protocol, never with a 5xx, never echoing
// more than a bounded amount, and nothing it refused reaches Baseten.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_JSON_DEPTH, MAX_MODEL_LENGTH } from "../src/relay/limits.ts";
import { relayHarness } from "./relay-helpers.ts";

const RUNS = 5_000;
/** Longest answer a refusal may be: a message and the caller input it quotes, clipped. */
const MAX_ANSWER = 600;
const KNOWN = "openai/gpt-oss-120b";

/** A header value a Request accepts (no controls, no newlines), any length. */
const headerValue = fc
  .oneof(fc.string({ maxLength: 30 }), fc.string({ unit: "grapheme-ascii", maxLength: 3000 }))
  .map((s) =>
    [...s]
      .filter((ch) => ch >= " " && ch !== "\x7f")
      .join("")
      .trim(),
  );
/** Keys that are not Baseten keys, and malformed Authorization values. */
const badAuthorization = fc.oneof(
  fc.constant(null),
  fc.constantFrom("", "Bearer", "Basic dXNlcjpwYXNz", "Bearer a b", "Api-Key", "bearer\u00a0x"),
  headerValue.filter((v) => !/^(Bearer|Api-Key)[ \t]+[\x21-\x7e]+[ \t]*$/i.test(v)),
);
const hostileHeaders = fc.dictionary(
  fc.constantFrom(
    "origin",
    "if-none-match",
    "anthropic-version",
    "anthropic-beta",
    "x-session-affinity",
    "accept",
    "x-forwarded-for",
    "cookie",
    "connection",
    "transfer-encoding",
    "user-agent",
  ),
  headerValue,
  { maxKeys: 4 },
);

const nest = (depth: number, inner = "0") => `${"[".repeat(depth)}${inner}${"]".repeat(depth)}`;
/** Bodies the relay must refuse before Baseten sees them; `arrays` are the route's required arrays. */
const hostileBody = (arrays: readonly string[]): fc.Arbitrary<string | Uint8Array<ArrayBuffer>> =>
  fc.oneof(
    // Deeper than the bound, in every position.
    fc
      .tuple(fc.integer({ min: MAX_JSON_DEPTH, max: 20_000 }), fc.constantFrom("x", "messages", "model", "tools"))
      .map(([depth, key]) => `{"model":"${KNOWN}","messages":[],"${key}":${nest(depth)}}`),
    fc.integer({ min: MAX_JSON_DEPTH, max: 5_000 }).map((depth) => `{"model":"${KNOWN}","x":${nest(depth, "{")}`),
    // Models too long, empty, of another type, or unknown to the key.
    fc
      .integer({ min: MAX_MODEL_LENGTH + 1, max: 100_000 })
      .map((n) => JSON.stringify({ model: "m".repeat(n), messages: [] })),
    fc
      .oneof(fc.constant(""), fc.constant("   "), fc.integer(), fc.constant(null), fc.array(fc.string()), fc.object())
      .map((model) => JSON.stringify({ model, messages: [] })),
    fc
      .string({ minLength: 1, maxLength: MAX_MODEL_LENGTH })
      .filter((m) => m.trim() !== "" && m.toLowerCase() !== KNOWN)
      .map((model) => JSON.stringify({ model: `zz-${model}`, messages: [], max_tokens: 8 })),
    // Required arrays of another type, or missing (the Responses API has none: its `input` may be a string).
    fc
      .oneof(fc.string(), fc.integer(), fc.constant(null), fc.object(), fc.boolean())
      .map((value) => JSON.stringify({ model: arrays.length ? KNOWN : "", [arrays[0] ?? "messages"]: value })),
    // Not JSON, not an object, not UTF-8, truncated.
    fc.string({ maxLength: 200 }).filter((s) => {
      try {
        JSON.parse(s);
        return false;
      } catch {
        return true;
      }
    }),
    fc
      .jsonValue({ maxDepth: 3 })
      .filter((v) => typeof v !== "object" || v === null || Array.isArray(v))
      .map((v) => JSON.stringify(v)),
    fc.uint8Array({ minLength: 1, maxLength: 60 }).map((bytes) => new Uint8Array([0x7b, 0x22, 0xff, ...bytes])),
    fc
      .nat({ max: 60 })
      .map((cut) => JSON.stringify({ model: KNOWN, messages: [{ role: "user", content: "hi" }] }).slice(0, cut)),
  );

type Shape = "openai" | "anthropic";
function expectProtocolError(shape: Shape, answer: Record<string, unknown>): void {
  if (shape === "anthropic") {
    expect(answer).toEqual({ type: "error", error: { type: expect.any(String), message: expect.any(String) } });
  } else {
    expect(Object.keys(answer)).toEqual(["error"]);
    expect(answer.error).toEqual({
      message: expect.any(String),
      type: expect.any(String),
      param: null,
      code: expect.toSatisfy((c: unknown) => c === null || typeof c === "string"),
    });
  }
}

const relayRoutes: [string, Shape, string[]][] = [
  ["/v1/chat/completions", "openai", ["messages"]],
  ["/v1/messages", "anthropic", ["messages"]],
  ["/v1/responses", "openai", []],
];

describe("fuzz: relay routes", () => {
  it.each(relayRoutes)(
    `%s: ${RUNS} hostile requests, no 5xx, no upstream request, the route's shape`,
    async (path, shape, arrays) => {
      const h = relayHarness({ maxBodyBytes: 64 * 1024, freshSeconds: 3600 });
      // Learn the model list first, so an unknown model is refused here rather than upstream.
      await (await h.post(path, { model: KNOWN, messages: [], input: "hi", max_tokens: 8 })).arrayBuffer();
      await h.settle();
      const before = h.upstream(path).length;
      const eventsBefore = h.events.length;
      const request = fc.record({
        body: hostileBody(arrays),
        auth: fc.oneof(
          { weight: 3, arbitrary: fc.constant("Bearer emulator-key") },
          { weight: 1, arbitrary: badAuthorization },
          { weight: 1, arbitrary: fc.constant(null) },
        ),
        // Sent as `x-api-key` (the Anthropic SDKs' header) when there is no Authorization.
        badKey: fc.oneof(
          fc.constant(""),
          fc.constantFrom("a b", "key\u00a0x", "ké"),
          headerValue.filter((v) => /[^\x21-\x7e]/.test(v)),
        ),
        contentType: fc.oneof(
          { weight: 4, arbitrary: fc.constant("application/json") },
          { weight: 1, arbitrary: fc.constantFrom("text/plain", "", "application/jsonp", "multipart/form-data") },
        ),
        headers: hostileHeaders,
        declaredTooLarge: fc.boolean(),
        query: fc.string({ maxLength: 40 }),
      });
      let checked = 0;
      await fc.assert(
        fc.asyncProperty(request, async ({ body, auth, badKey, contentType, headers, declaredTooLarge, query }) => {
          const all: Record<string, string> = { ...headers };
          if (auth !== null) all.authorization = auth;
          else if (badKey) all["x-api-key"] = badKey; // the Anthropic SDKs' header, malformed
          if (contentType) all["content-type"] = contentType;
          if (declaredTooLarge) all["content-length"] = String(10 * 1024 * 1024);
          let built: Request;
          try {
            built = new Request(`http://gateway.test${path}?${encodeURIComponent(query)}`, {
              method: "POST",
              headers: all,
              body,
            });
          } catch {
            return; // a header no client could send
          }
          const response = await h.gateway.fetch(built);
          const text = await response.text();
          expect(response.status).toBeGreaterThanOrEqual(400);
          expect(response.status).toBeLessThan(500);
          expect(text.length).toBeLessThanOrEqual(MAX_ANSWER);
          expectProtocolError(shape, JSON.parse(text));
          checked++;
        }),
        { numRuns: RUNS },
      );
      await h.settle();
      expect(checked).toBeGreaterThan(RUNS * 0.95);
      expect(h.upstream(path).length).toBe(before);
      expect(h.events.filter((e) => e.event === "internal_error")).toEqual([]);
      // One request event for each request checked, none of them long.
      const logged = h.events.slice(eventsBefore).filter((e) => e.event === "request");
      expect(logged).toHaveLength(checked);
      expect(Math.max(...logged.map((e) => JSON.stringify(e).length))).toBeLessThan(1_000);
    },
    120_000,
  );
});

const catalogRoutes = [
  "/v1/model_apis",
  "/v1/model_apis/gpt-oss-120b",
  "/v1/models",
  "/v1/models/openai/gpt-oss-120b",
  "/api/models/list",
  "/healthz",
];
const hostileQuery = fc.oneof(
  fc
    .dictionary(
      fc.oneof(
        fc.constantFrom("limit", "cursor", "added_only", "query", "feature", "order_by", "page"),
        fc.string({ maxLength: 3000 }),
      ),
      fc.oneof(fc.string({ maxLength: 50 }), fc.string({ unit: "binary", maxLength: 3000 }), fc.integer().map(String)),
      { maxKeys: 4 },
    )
    .map((params) => `?${new URLSearchParams(params)}`),
  fc.string({ unit: "binary", maxLength: 200 }).map((raw) => `?${raw.replace(/[#\s]/g, "")}`),
);

/** Baseten's shape on the catalog routes; the model look-ups answer in the caller's protocol (OpenAI's or Anthropic's). */
function errorShape(path: string): unknown {
  if (!path.startsWith("/v1/models")) return { error: expect.any(String) };
  return expect.toBeOneOf([
    { error: { message: expect.any(String), type: expect.any(String), param: null, code: expect.anything() } },
    { error: { message: expect.any(String), type: expect.any(String), param: null, code: null } },
    { type: "error", error: { type: expect.any(String), message: expect.any(String) } },
  ]);
}

describe("fuzz: catalog routes", () => {
  it.each(catalogRoutes)(
    `%s: ${RUNS} hostile queries and headers, no 5xx, bounded answers, the route's error shape`,
    async (path) => {
      const h = relayHarness({ freshSeconds: 3600 });
      const warm = await h.gateway.fetch(
        new Request(`http://gateway.test${path}`, { headers: { authorization: "Bearer emulator-key" } }),
      );
      expect(warm.status).toBe(200);
      await h.settle();
      const upstreamBefore = h.emulator.requests.list().length;
      const request = fc.record({
        query: hostileQuery,
        auth: fc.oneof(
          { weight: 2, arbitrary: fc.constant("Bearer emulator-key") },
          { weight: 1, arbitrary: badAuthorization },
        ),
        headers: hostileHeaders,
        method: fc.constantFrom("GET", "HEAD", "GET", "DELETE", "PUT"),
      });
      let checked = 0;
      await fc.assert(
        fc.asyncProperty(request, async ({ query, auth, headers, method }) => {
          const all: Record<string, string> = { ...headers };
          if (auth !== null) all.authorization = auth;
          let built: Request;
          try {
            built = new Request(`http://gateway.test${path}${query}`, { method, headers: all });
          } catch {
            return;
          }
          const response = await h.gateway.fetch(built);
          const text = await response.text();
          expect(response.status).toBeLessThan(500);
          if (response.status >= 400 && method !== "HEAD") {
            expect(text.length).toBeLessThanOrEqual(MAX_ANSWER);
            expect(JSON.parse(text)).toEqual(errorShape(path));
          }
          checked++;
        }),
        { numRuns: RUNS },
      );
      await h.settle();
      expect(checked).toBeGreaterThan(RUNS * 0.95);
      // Malformed keys are refused here, and everything else came from the cache.
      expect(h.emulator.requests.list().length).toBe(upstreamBefore);
      expect(h.events.filter((e) => e.event === "internal_error")).toEqual([]);
    },
    120_000,
  );
});
