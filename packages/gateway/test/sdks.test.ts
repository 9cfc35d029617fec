// The official OpenAI and Anthropic SDKs, configured with only a base URL and a key, through the gateway.
import Anthropic from "@anthropic-ai/sdk";
import { sha256Hex } from "@baseten-edge/core/internal";
import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { relayHarness } from "./relay-helpers.ts";

const TOKEN = "gateway-token-for-sdks";
const TOKEN_HASH = await sha256Hex(TOKEN);

const modes = [
  { mode: "pass-through", key: "emulator-key", options: {} },
  {
    mode: "operator",
    key: TOKEN,
    options: { auth: { mode: "operator" as const, apiKey: "emulator-key", tokenHashes: [TOKEN_HASH] } },
  },
];

const MODEL = "openai/gpt-oss-120b";

describe.each(modes)("official SDKs, $mode mode", ({ key, options }) => {
  const openai = (h: ReturnType<typeof relayHarness>) =>
    new OpenAI({ apiKey: key, baseURL: "http://gateway.test/v1", fetch: h.fetch, maxRetries: 0 });
  const anthropic = (h: ReturnType<typeof relayHarness>) =>
    new Anthropic({ apiKey: key, baseURL: "http://gateway.test", fetch: h.fetch, maxRetries: 0 });

  it("OpenAI: lists models and completes a chat", async () => {
    const h = relayHarness(options);
    const client = openai(h);
    const models = [];
    for await (const model of client.models.list()) models.push(model.id);
    expect(models).toContain(MODEL);
    const completion = await client.chat.completions.create({
      model: MODEL,
      messages: [{ role: "user", content: "Say hello." }],
    });
    expect(completion.choices[0]?.message.content).toEqual(expect.any(String));
    expect(completion.usage?.total_tokens).toBeGreaterThan(0);
  });

  it("OpenAI: streams a chat completion to the end", async () => {
    const client = openai(relayHarness(options));
    const stream = await client.chat.completions.create({
      model: MODEL,
      messages: [{ role: "user", content: "Count to five." }],
      stream: true,
    });
    let text = "";
    let chunks = 0;
    for await (const chunk of stream) {
      chunks++;
      text += chunk.choices[0]?.delta.content ?? "";
    }
    expect(chunks).toBeGreaterThan(1);
    expect(text.length).toBeGreaterThan(0);
  });

  it("OpenAI: calls a tool when asked", async () => {
    const client = openai(relayHarness(options));
    const completion = await client.chat.completions.create({
      model: MODEL,
      messages: [{ role: "user", content: "What is the square root of 132413?" }],
      tools: [
        {
          type: "function",
          function: {
            name: "square_root",
            parameters: { type: "object", properties: { number: { type: "number" } }, required: ["number"] },
          },
        },
      ],
      tool_choice: { type: "function", function: { name: "square_root" } },
    });
    const call = completion.choices[0]?.message.tool_calls?.[0];
    expect(call?.type === "function" ? call.function.name : null).toBe("square_root");
  });

  it("OpenAI: answers with JSON matching a schema", async () => {
    const client = openai(relayHarness(options));
    const completion = await client.chat.completions.create({
      model: MODEL,
      messages: [{ role: "user", content: "Is a circle round? Answer as JSON." }],
      response_format: {
        type: "json_schema",
        json_schema: {
          name: "answer",
          schema: { type: "object", properties: { round: { type: "boolean" } }, required: ["round"] },
        },
      },
    });
    const parsed = JSON.parse(completion.choices[0]?.message.content ?? "null") as { round?: unknown };
    expect(typeof parsed.round).toBe("boolean");
  });

  it("OpenAI: surfaces the gateway's own 404 for an unknown model as NotFoundError", async () => {
    const h = relayHarness(options);
    const client = openai(h);
    for await (const _ of client.models.list()) break; // caches the model list
    await h.settle();
    await expect(
      client.chat.completions.create({ model: "no/such", messages: [{ role: "user", content: "x" }] }),
    ).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it("Anthropic: creates a message, with x-api-key translated for Baseten", async () => {
    const message = await anthropic(relayHarness(options)).messages.create({
      model: MODEL,
      max_tokens: 64,
      messages: [{ role: "user", content: "Say hello." }],
    });
    expect(message.type).toBe("message");
    expect(message.content.some((block) => block.type === "text")).toBe(true); // after any thinking block
    expect(message.usage.output_tokens).toBeGreaterThan(0);
  });

  it("Anthropic: streams a message to message_stop", async () => {
    const stream = anthropic(relayHarness(options)).messages.stream({
      model: MODEL,
      max_tokens: 64,
      messages: [{ role: "user", content: "Say hello." }],
    });
    const final = await stream.finalMessage();
    expect(final.stop_reason).toEqual(expect.any(String));
    expect(final.content.length).toBeGreaterThan(0);
  });

  it("Anthropic: calls a tool when asked", async () => {
    const message = await anthropic(relayHarness(options)).messages.create({
      model: MODEL,
      max_tokens: 256,
      messages: [{ role: "user", content: "What is the square root of 132413?" }],
      tools: [
        {
          name: "square_root",
          input_schema: { type: "object", properties: { number: { type: "number" } }, required: ["number"] },
        },
      ],
      tool_choice: { type: "tool", name: "square_root" },
    });
    expect(message.content.some((block) => block.type === "tool_use" && block.name === "square_root")).toBe(true);
  });

  it("refuses a wrong key in each SDK's own error class", async () => {
    const h = relayHarness(options);
    const badOpenai = new OpenAI({ apiKey: "wrong", baseURL: "http://gateway.test/v1", fetch: h.fetch, maxRetries: 0 });
    const badAnthropic = new Anthropic({
      apiKey: "wrong",
      baseURL: "http://gateway.test",
      fetch: h.fetch,
      maxRetries: 0,
    });
    const expected = options.auth
      ? [OpenAI.AuthenticationError, Anthropic.AuthenticationError]
      : [OpenAI.PermissionDeniedError, Anthropic.PermissionDeniedError];
    await expect(
      badOpenai.chat.completions.create({ model: MODEL, messages: [{ role: "user", content: "x" }] }),
    ).rejects.toBeInstanceOf(expected[0]);
    await expect(
      badAnthropic.messages.create({ model: MODEL, max_tokens: 8, messages: [{ role: "user", content: "x" }] }),
    ).rejects.toBeInstanceOf(expected[1]);
  });
});

describe("official SDKs in a browser page of another origin", () => {
  /** The Fetch standard's check of a preflight's Access-Control-Allow-Headers against one request header. */
  const allows = (allowed: string[], name: string) =>
    allowed.includes(name) || (allowed.includes("*") && name !== "authorization");
  // Headers a page may send without a preflight's leave (content-type: application/json needs one).
  const SAFELISTED = new Set(["accept", "accept-language", "content-language"]);

  it.each(["openai", "anthropic"])("%s: the preflight allows every header the SDK sends", async (sdk) => {
    const h = relayHarness({ corsOrigins: ["https://app.example"] });
    const sent: string[] = [];
    const fetch = (input: string | URL | Request, init?: RequestInit) => {
      const request = new Request(input, init);
      sent.push(...request.headers.keys());
      return h.fetch(request);
    };
    const ask = [{ role: "user" as const, content: "Hi" }];
    if (sdk === "openai") {
      const client = new OpenAI({
        apiKey: "emulator-key",
        baseURL: "http://gateway.test/v1",
        fetch,
        maxRetries: 0,
        dangerouslyAllowBrowser: true,
      });
      await client.chat.completions.create({ model: MODEL, messages: ask });
    } else {
      const client = new Anthropic({
        apiKey: "emulator-key",
        baseURL: "http://gateway.test",
        fetch,
        maxRetries: 0,
        dangerouslyAllowBrowser: true,
      });
      await client.messages.create({ model: MODEL, max_tokens: 16, messages: ask });
    }
    const requested = [...new Set(sent)].filter((name) => !SAFELISTED.has(name));
    expect(requested.some((name) => name.startsWith("x-stainless-"))).toBe(true);
    const preflight = await h.fetch(
      `http://gateway.test${sdk === "openai" ? "/v1/chat/completions" : "/v1/messages"}`,
      {
        method: "OPTIONS",
        headers: {
          origin: "https://app.example",
          "access-control-request-method": "POST",
          "access-control-request-headers": requested.join(", "),
        },
      },
    );
    expect(preflight.status).toBe(204);
    const allowed = (preflight.headers.get("access-control-allow-headers") ?? "").toLowerCase().split(/\s*,\s*/);
    expect(requested.filter((name) => !allows(allowed, name))).toEqual([]);
  });
});
