// The official `@anthropic-ai/sdk`, configured with only a base URL and a key (sent as x-api-key, its
// default), against the Worker under workerd.
import Anthropic from "@anthropic-ai/sdk";
import { afterEach, describe, expect, it } from "vitest";
import { clearFaults, ERROR_STATUSES, gatewayUrl, KEY, MODEL, UPSTREAM_MESSAGES, upstreamFault } from "./stack.ts";

const client = () => new Anthropic({ apiKey: KEY, baseURL: gatewayUrl(), maxRetries: 0 });
const ASK = { model: MODEL, max_tokens: 256, messages: [{ role: "user" as const, content: "Say hello." }] };
const WEATHER = {
  name: "get_weather",
  description: "The weather in a city",
  input_schema: { type: "object" as const, properties: { city: { type: "string" } }, required: ["city"] },
};

afterEach(clearFaults);

describe("anthropic: messages", () => {
  it("answers a message with thinking and text", async () => {
    const message = await client().messages.create(ASK);
    expect(message.content.map((block) => block.type)).toEqual(["thinking", "text"]);
    expect(message.stop_reason).toBe("end_turn");
    expect(message.usage.output_tokens).toBeGreaterThan(0);
  });

  it("streams a message and assembles it with the SDK's helper", async () => {
    const stream = client().messages.stream(ASK);
    let text = "";
    stream.on("text", (delta) => {
      text += delta;
    });
    const final = await stream.finalMessage();
    const block = final.content.find((b) => b.type === "text");
    expect(block?.type === "text" ? block.text : "").toBe(text);
    expect(text).toMatch(/\w/);
  });

  it("calls a tool", async () => {
    const message = await client().messages.create({
      ...ASK,
      messages: [{ role: "user", content: "What is the weather in Paris?" }],
      tools: [WEATHER],
    });
    expect(message.stop_reason).toBe("tool_use");
    const use = message.content.find((b) => b.type === "tool_use");
    expect(use?.type === "tool_use" ? use.name : undefined).toBe("get_weather");
    expect(use?.type === "tool_use" ? use.input : undefined).toEqual({ city: expect.any(String) });
  });

  it("gets NotFoundError saying Baseten does not serve count_tokens", async () => {
    const error = await client()
      .messages.countTokens({ model: MODEL, messages: ASK.messages })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.NotFoundError);
    expect((error as InstanceType<typeof Anthropic.APIError>).error).toEqual({
      type: "error",
      error: { type: "not_found_error", message: expect.stringMatching(/does not serve .*count_tokens/) },
    });
  });
});

describe("anthropic: models", () => {
  it("lists every model through the SDK's auto-pagination, newest first", async () => {
    const ids: string[] = [];
    for await (const model of client().models.list({ limit: 5 })) {
      expect(model.type).toBe("model");
      ids.push(model.id);
    }
    expect(ids).toHaveLength(19);
    expect(new Set(ids).size).toBe(19);
    expect(ids).toEqual(expect.arrayContaining([MODEL, "moonshotai/Kimi-K2.5"]));
  });

  it("retrieves a model by an id with a slash", async () => {
    const model = await client().models.retrieve(MODEL);
    expect(model).toEqual({
      type: "model",
      id: MODEL,
      display_name: "OpenAI GPT 120B",
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
  });

  it("gets NotFoundError for an unknown model", async () => {
    const error = await client()
      .models.retrieve("nobody/nothing")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.NotFoundError);
  });
});

describe("anthropic: errors", () => {
  const classes: Record<number, unknown> = {
    400: Anthropic.BadRequestError,
    401: Anthropic.AuthenticationError,
    403: Anthropic.PermissionDeniedError,
    404: Anthropic.NotFoundError,
    429: Anthropic.RateLimitError,
    500: Anthropic.InternalServerError,
    503: Anthropic.InternalServerError,
  };
  const types: Record<number, string> = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    429: "rate_limit_error",
    500: "api_error",
    503: "overloaded_error",
  };

  it.each(ERROR_STATUSES)("turns Baseten's %i into the SDK's own error class and error type", async (status) => {
    await upstreamFault("/v1/messages", `status=${status}; retry-after=30`);
    const error = await client()
      .messages.create(ASK)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(classes[status] as typeof Anthropic.APIError);
    const apiError = error as InstanceType<typeof Anthropic.APIError>;
    expect(apiError.status).toBe(status);
    expect(apiError.error).toEqual({
      type: "error",
      error: { type: types[status], message: UPSTREAM_MESSAGES[status] },
    });
    if (status === 429) expect(apiError.headers?.get("retry-after")).toBe("30");
  });

  /** Reads a message stream to its end: the text seen, and the error it ended with, if any. */
  async function readMessage() {
    const stream = client().messages.stream(ASK);
    let text = "";
    stream.on("text", (delta) => {
      text += delta;
    });
    const error = await stream.finalMessage().then(
      () => undefined,
      (e: unknown) => e,
    );
    return { text, error };
  }

  it("raises an APIError with the gateway's message when Baseten's stream breaks between events", async () => {
    await upstreamFault("/v1/messages", "chunks=20; cut-after=8", 1);
    const { text, error } = await readMessage();
    expect(text).toMatch(/\w/);
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect((error as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({
      type: "error",
      error: { type: "api_error", message: expect.stringMatching(/broke off before the answer was complete/) },
    });
  });

  it("raises the transport's error, never a malformed event, when the stream breaks inside an event", async () => {
    await upstreamFault("/v1/messages", "chunks=20; cut-after-bytes=1500", 1);
    const { text, error } = await readMessage();
    expect(text).toMatch(/\w/);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(SyntaxError);
    expect(error).not.toBeInstanceOf(Anthropic.APIError);
  });

  it("turns an error before a stream's first byte into the same class", async () => {
    await upstreamFault("/v1/messages", "status=529; retry-after=30");
    const error = await client()
      .messages.stream(ASK)
      .finalMessage()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.InternalServerError);
    expect((error as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({
      error: { type: "overloaded_error" },
    });
  });
});
