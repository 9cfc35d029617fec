import { describe, expect, it } from "vitest";
import { CHAT, MESSAGES, relayHarness, withoutIds } from "./relay-helpers.ts";

describe("relay requests", () => {
  it("relays a chat completion and adds x-request-id, keeping Baseten's headers", async () => {
    const h = relayHarness();
    const response = await h.post("/v1/chat/completions", CHAT);
    expect(response.status).toBe(200);
    expect(response.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.headers.get("x-baseten-request-id")).toMatch(/\w+/);
    const body = (await response.json()) as { choices: { message: { content: string } }[] };
    expect(body.choices[0]?.message.content).toEqual(expect.any(String));
  });

  it("sends the client's bytes upstream unchanged", async () => {
    const h = relayHarness();
    const text = '{"model":"openai/gpt-oss-120b",  "messages":[{"role":"user","content":"Say \\u00e9"}]}';
    await h.post("/v1/chat/completions", text);
    expect(h.upstream("/v1/chat/completions")[0]?.bodyBytes).toBe(new TextEncoder().encode(text).byteLength);
  });

  it("forwards only allowlisted headers and sets Authorization for Baseten", async () => {
    const h = relayHarness();
    const response = await h.post("/v1/chat/completions", CHAT, {
      accept: "application/json",
      cookie: "session=1",
      "cf-connecting-ip": "203.0.113.9",
      "x-forwarded-for": "203.0.113.9",
      "x-session-affinity": "conversation-7",
      "x-custom": "nope",
      "user-agent": "test-agent/1.0",
    });
    expect(response.status).toBe(200);
    const sent = h.upstream("/v1/chat/completions")[0]!.headers;
    expect(Object.keys(sent).sort()).toEqual([
      "accept",
      "authorization",
      "content-type",
      "user-agent",
      "x-session-affinity",
    ]);
    expect(sent).toMatchObject({
      accept: "application/json",
      "content-type": "application/json",
      "user-agent": "test-agent/1.0",
      "x-session-affinity": "conversation-7",
    });
  });

  it("accepts the Anthropic SDK's x-api-key and sends Authorization: Bearer upstream", async () => {
    const sent: (string | null)[] = [];
    const h = relayHarness({
      fetch: (request, init) => {
        sent.push(request.headers.get("authorization"));
        return h.emulator.fetch(request, init);
      },
    });
    const response = await h.gateway.fetch(
      new Request("http://gateway.test/v1/messages", {
        method: "POST",
        headers: { "x-api-key": "emulator-key", "content-type": "application/json", "anthropic-version": "2023-06-01" },
        body: JSON.stringify(MESSAGES),
      }),
    );
    expect(response.status).toBe(200);
    expect(sent).toEqual(["Bearer emulator-key"]);
  });

  it("never passes set-cookie back to the client", async () => {
    const h = relayHarness({
      fetch: async (request, init) => {
        const answer = await h.emulator.fetch(request, init);
        const headers = new Headers(answer.headers);
        headers.set("set-cookie", "tracking=1");
        return new Response(answer.body, { status: answer.status, headers });
      },
    });
    const response = await h.post("/v1/chat/completions", CHAT);
    expect(response.headers.get("set-cookie")).toBeNull();
  });

  it("answers an unknown model 404 in the route's shape from the cached model list, without an upstream request", async () => {
    const h = relayHarness();
    await h.post("/v1/chat/completions", CHAT); // learns the model list in the background
    await h.settle();
    h.emulator.requests.clear();
    const openai = await h.post("/v1/chat/completions", { ...CHAT, model: "no/such-model" });
    expect(openai.status).toBe(404);
    expect(await openai.json()).toEqual({
      error: {
        message: expect.stringMatching(/no\/such-model/),
        type: "not_found_error",
        param: null,
        code: "model_not_found",
      },
    });
    const anthropic = await h.post("/v1/messages", { ...MESSAGES, model: "no/such-model" });
    expect(anthropic.status).toBe(404);
    expect(await anthropic.json()).toEqual({
      type: "error",
      error: { type: "not_found_error", message: expect.any(String) },
    });
    expect(h.upstream("/v1/chat/completions")).toHaveLength(0);
    expect(h.upstream("/v1/messages")).toHaveLength(0);
  });

  it("lets an unknown model through while no model list is cached", async () => {
    const h = relayHarness();
    const response = await h.gateway.fetch(
      new Request("http://gateway.test/v1/chat/completions", {
        method: "POST",
        headers: { authorization: "Bearer emulator-key", "content-type": "application/json" },
        body: JSON.stringify({ ...CHAT, model: "no/such-model" }),
      }),
    );
    expect(response.status).toBe(403); // Baseten's own answer for an unknown model
    expect(h.upstream("/v1/chat/completions")).toHaveLength(1);
  });

  it("refuses bodies over the limit with 413, from Content-Length or while reading", async () => {
    const h = relayHarness({ maxBodyBytes: 1000 });
    const big = JSON.stringify({ ...CHAT, messages: [{ role: "user", content: "x".repeat(2000) }] });
    const declared = await h.post("/v1/chat/completions", big);
    expect(declared.status).toBe(413);
    let sent = 0;
    const chunked = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent++;
        if (sent > 100) controller.close();
        else controller.enqueue(new TextEncoder().encode("x".repeat(100)));
      },
    });
    const streamed = await h.gateway.fetch(
      new Request("http://gateway.test/v1/messages", {
        method: "POST",
        headers: { authorization: "Bearer emulator-key", "content-type": "application/json" },
        body: chunked,
        duplex: "half",
      } as RequestInit),
    );
    expect(streamed.status).toBe(413);
    expect(((await streamed.json()) as { error: { type: string } }).error.type).toBe("request_too_large");
    expect(sent).toBeLessThan(20); // stopped reading soon after the limit
    expect(h.emulator.requests.list()).toHaveLength(0);
  });

  it("answers a wrong method 405 in the route's shape", async () => {
    const h = relayHarness();
    const response = await h.gateway.fetch(
      new Request("http://gateway.test/v1/messages", { headers: { authorization: "Bearer emulator-key" } }),
    );
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("POST");
    expect(await response.json()).toEqual({
      type: "error",
      error: { type: "invalid_request_error", message: expect.any(String) },
    });
  });

  it("relays /v1/responses as it is", async () => {
    const h = relayHarness();
    const request = { model: "openai/gpt-oss-120b", input: "hi" };
    const response = await h.post("/v1/responses", request);
    expect(response.status).toBe(200);
    expect(h.upstream("/v1/responses")).toHaveLength(1);
    expect(response.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    // Baseten's answer, unchanged: the same as the emulator's own answer to the same request, ids aside.
    const direct = await h.emulator.fetch(
      new Request("http://baseten.test/v1/responses", {
        method: "POST",
        headers: { authorization: "Bearer emulator-key", "content-type": "application/json" },
        body: JSON.stringify(request),
      }),
    );
    expect(withoutIds(await response.text())).toBe(withoutIds(await direct.text()));
  });
});

describe("CORS", () => {
  it("answers preflights locally from the allowlist, listing Authorization, with Vary: Origin", async () => {
    const h = relayHarness({ corsOrigins: ["https://app.example"] });
    const preflight = await h.gateway.fetch(
      new Request("http://gateway.test/v1/chat/completions", {
        method: "OPTIONS",
        headers: {
          origin: "https://app.example",
          "access-control-request-method": "POST",
          "access-control-request-headers": "authorization, content-type",
        },
      }),
    );
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("https://app.example");
    expect(preflight.headers.get("access-control-allow-headers")).toMatch(/Authorization/);
    expect(preflight.headers.get("vary")).toMatch(/Origin/);
    const foreign = await h.gateway.fetch(
      new Request("http://gateway.test/v1/chat/completions", {
        method: "OPTIONS",
        headers: { origin: "https://evil.example", "access-control-request-method": "POST" },
      }),
    );
    expect(foreign.headers.get("access-control-allow-origin")).toBeNull();
    expect(h.emulator.requests.list()).toHaveLength(0);
  });
});
