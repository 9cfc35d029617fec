// Baseten's errors reach each client in its own protocol; count_tokens; catalog names as `model`.
import { createEmulator, parseFaults } from "@baseten-edge/emulator";
import { describe, expect, it } from "vitest";
import type { GatewayEvent } from "../src/index.ts";
import { openai } from "../src/relay/protocols.ts";
import { MAX_UPSTREAM_MESSAGE, upstreamError } from "../src/relay/upstream-errors.ts";
import { testGateway } from "./helpers.ts";
import { CHAT, MESSAGES, relayHarness } from "./relay-helpers.ts";

const RESPONSES = { model: "openai/gpt-oss-120b", input: "Say hello." };

function failing(h: ReturnType<typeof relayHarness>, spec: string, path: string) {
  // Several times over: the relay retries a short 429/503 once.
  h.emulator.faults.push({ fault: parseFaults(spec), times: 3, path });
  return h;
}

const ANTHROPIC_TYPES: [number, string][] = [
  [400, "invalid_request_error"],
  [401, "authentication_error"],
  [402, "billing_error"],
  [403, "permission_error"],
  [404, "not_found_error"],
  [413, "request_too_large"],
  [429, "rate_limit_error"],
  [500, "api_error"],
  [502, "api_error"],
  [503, "overloaded_error"],
  [529, "overloaded_error"],
];

describe("upstream errors on /v1/messages", () => {
  it.each(ANTHROPIC_TYPES)("answers Baseten's %i as Anthropic's %s, with Baseten's message", async (status, type) => {
    const h = failing(relayHarness(), `status=${status}; retry-after=30`, "/v1/messages");
    const response = await h.post("/v1/messages", MESSAGES);
    expect(response.status).toBe(status);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(response.headers.get("retry-after")).toBe("30");
    const body = (await response.json()) as { type: string; error: { type: string; message: string } };
    expect(body).toEqual({ type: "error", error: { type, message: expect.any(String) } });
    expect(body.error.message).not.toMatch(/^Baseten answered/);
  });

  it("answers the same way before the first byte of a stream", async () => {
    const h = failing(relayHarness(), "status=429; retry-after=30", "/v1/messages");
    const response = await h.post("/v1/messages", { ...MESSAGES, stream: true });
    expect(response.status).toBe(429);
    expect(await response.json()).toEqual({
      type: "error",
      error: { type: "rate_limit_error", message: "rate limit exceeded" },
    });
  });
});

describe("upstream errors on OpenAI routes", () => {
  it.each([
    ["/v1/chat/completions", CHAT],
    ["/v1/responses", RESPONSES],
  ])("answers %s errors as {error: {message, type, param, code}}", async (path, body) => {
    for (const [status, type] of [
      [400, "invalid_request_error"],
      [403, "permission_error"],
      [429, "rate_limit_error"],
      [500, "api_error"],
      [503, "api_error"],
    ] as const) {
      const h = failing(relayHarness(), `status=${status}; retry-after=30`, path);
      const response = await h.post(path, { ...body, stream: status === 500 });
      expect(response.status).toBe(status);
      expect(await response.json()).toEqual({ error: { message: expect.any(String), type, param: null, code: null } });
    }
  });

  it("keeps Baseten's request id and reads problem+json bodies", async () => {
    const events: GatewayEvent[] = [];
    const upstream = async () =>
      new Response(JSON.stringify({ title: "Too Many Requests", detail: "Token budget exhausted for this minute" }), {
        status: 429,
        headers: {
          "content-type": "application/problem+json",
          "retry-after": "40",
          "x-baseten-request-id": "req-upstream-1",
        },
      });
    const gateway = testGateway(upstream, events, {});
    const send = (path: string, body: unknown) =>
      gateway.fetch(
        new Request(`http://gateway.test${path}`, {
          method: "POST",
          headers: { authorization: "Bearer k", "content-type": "application/json" },
          body: JSON.stringify(body),
        }),
      );
    const chat = await send("/v1/chat/completions", CHAT);
    expect(chat.headers.get("x-baseten-request-id")).toBe("req-upstream-1");
    expect(chat.headers.get("retry-after")).toBe("40");
    expect(await chat.json()).toMatchObject({ error: { message: "Token budget exhausted for this minute" } });
    const messages = await send("/v1/messages", MESSAGES);
    expect(messages.headers.get("request-id")).toBe("req-upstream-1");
    expect(await messages.json()).toEqual({
      type: "error",
      error: { type: "rate_limit_error", message: "Token budget exhausted for this minute" },
    });
  });
});

describe("POST /v1/messages/count_tokens", () => {
  it("is relayed, and Baseten's 404 becomes Anthropic's not_found_error saying it is not served", async () => {
    const h = relayHarness();
    const response = await h.post("/v1/messages/count_tokens", { model: MESSAGES.model, messages: MESSAGES.messages });
    expect(h.upstream("/v1/messages/count_tokens")).toHaveLength(1);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      type: "error",
      error: { type: "not_found_error", message: expect.stringMatching(/does not serve .*count_tokens/) },
    });
  });
});

describe("catalog names as model", () => {
  it("maps a catalog name to its inference id, even on a cold gateway", async () => {
    const emulator = createEmulator();
    const sent: string[] = [];
    const gateway = testGateway(
      async (request, init) => {
        if (request.method === "POST") sent.push(await request.clone().text());
        return emulator.fetch(request, init);
      },
      [],
      {},
    );
    const response = await gateway.fetch(
      new Request("http://gateway.test/v1/chat/completions", {
        method: "POST",
        headers: { authorization: "Bearer emulator-key", "content-type": "application/json" },
        body: JSON.stringify({ ...CHAT, model: "deepseek-v4-pro" }),
      }),
    );
    expect(response.status).toBe(200);
    expect(((await response.json()) as { model: string }).model).toBe("deepseek-ai/DeepSeek-V4-Pro");
    expect(sent).toHaveLength(1);
    expect(JSON.parse(sent[0] ?? "{}")).toEqual({ ...CHAT, model: "deepseek-ai/DeepSeek-V4-Pro" });
  });

  it("maps catalog names on the Anthropic and Responses routes too", async () => {
    const h = relayHarness();
    expect((await h.post("/v1/messages", { ...MESSAGES, model: "glm-4-7" })).status).toBe(200);
    expect((await h.post("/v1/responses", { ...RESPONSES, model: "kimi-k2-5" })).status).toBe(200);
  });

  it("answers an unknown name in the route's shape, without asking Baseten", async () => {
    const h = relayHarness();
    await h.post("/v1/chat/completions", CHAT);
    await h.settle();
    const response = await h.post("/v1/messages", { ...MESSAGES, model: "no-such-model" });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ type: "error", error: { type: "not_found_error" } });
    expect(h.upstream("/v1/messages")).toHaveLength(0);
  });
});

describe("an upstream error's message", () => {
  it("is passed on cut to a bounded length, so a huge upstream message is not echoed whole", async () => {
    const huge = "x".repeat(1_000_000);
    const bytes = new TextEncoder().encode(JSON.stringify({ error: huge })).buffer as ArrayBuffer;
    const answer = upstreamError(openai, "/v1/chat/completions", 500, bytes, new Headers());
    const body = (await answer.json()) as { error: { message: string } };
    expect(answer.status).toBe(500);
    expect(body.error.message.length).toBe(MAX_UPSTREAM_MESSAGE + 1); // the cut, then an ellipsis
    expect(body.error.message.startsWith("xxx")).toBe(true);
  });
});
