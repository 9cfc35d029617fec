// Malformed requests of every kind: the gateway answers them itself, in the route's shape, never 5xx.
import fc from "fast-check";
import { expect, it } from "vitest";
import { relayHarness } from "./relay-helpers.ts";

const routes = ["/v1/chat/completions", "/v1/messages"] as const;

const badBody = fc.oneof(
  fc.string({ maxLength: 60 }).filter((s) => {
    try {
      JSON.parse(s);
      return false;
    } catch {
      return true;
    }
  }),
  fc
    .jsonValue({ maxDepth: 2 })
    .filter((v) => typeof v !== "object" || v === null || Array.isArray(v) || !("model" in v))
    .map((v) => JSON.stringify(v)),
  fc
    .record({
      model: fc.oneof(fc.constant(""), fc.integer(), fc.constant(null), fc.constant("  ")),
      messages: fc.constant([]),
    })
    .map((v) => JSON.stringify(v)),
  fc
    .record({
      model: fc.constant("openai/gpt-oss-120b"),
      messages: fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.object()),
    })
    .map((v) => JSON.stringify(v)),
  fc.uint8Array({ minLength: 1, maxLength: 40 }).map((bytes) => new Uint8Array([0xff, ...bytes])),
);

const badRequest = fc.record({
  route: fc.constantFrom(...routes),
  body: badBody,
  contentType: fc.oneof(
    fc.constant("application/json"),
    fc.constantFrom("text/plain", "application/x-www-form-urlencoded", "", "application/jsonx"),
  ),
  auth: fc.oneof(fc.constant("Bearer emulator-key"), fc.constantFrom("", "Bearer", "Basic abc", "emulator-key")),
  method: fc.oneof(fc.constant("POST"), fc.constantFrom("GET", "PUT", "DELETE", "PATCH")),
  oversize: fc.boolean(),
});

it("answers 1,000+ malformed requests itself: no 5xx, no upstream request, always the route's error shape", async () => {
  const h = relayHarness({ maxBodyBytes: 2048 });
  let checked = 0;
  await fc.assert(
    fc.asyncProperty(badRequest, async ({ route, body, contentType, auth, method, oversize }) => {
      const headers: Record<string, string> = {};
      if (contentType) headers["content-type"] = contentType;
      if (auth) headers.authorization = auth;
      const payload = oversize
        ? JSON.stringify({ model: "openai/gpt-oss-120b", messages: [{ role: "user", content: "x".repeat(4096) }] })
        : body;
      const request = new Request(
        `http://gateway.test${route}`,
        method === "GET" ? { method, headers } : { method, headers, body: payload },
      );
      const response = await h.gateway.fetch(request);
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
      const answer = (await response.json()) as Record<string, unknown>;
      if (route === "/v1/messages") {
        expect(answer).toEqual({ type: "error", error: { type: expect.any(String), message: expect.any(String) } });
      } else {
        const error = answer.error as Record<string, unknown>;
        expect(Object.keys(answer)).toEqual(["error"]);
        expect(Object.keys(error).sort()).toEqual(["code", "message", "param", "type"]);
        expect(error).toMatchObject({ message: expect.any(String), type: expect.any(String), param: null });
      }
      checked++;
    }),
    { numRuns: 1_200 },
  );
  expect(checked).toBe(1_200);
  expect(h.emulator.requests.list()).toHaveLength(0);
}, 120_000);
