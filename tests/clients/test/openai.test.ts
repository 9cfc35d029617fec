// The official `openai` SDK, configured with only a base URL and a key, against the Worker under workerd.
import OpenAI from "openai";
import { afterEach, describe, expect, it } from "vitest";
import {
  clearFaults,
  clearRequests,
  ERROR_STATUSES,
  gatewayUrl,
  KEY,
  MODEL,
  PLAIN_MODEL,
  SLOW_STREAM,
  UPSTREAM_MESSAGES,
  upstreamCancelledAt,
  upstreamFault,
} from "./stack.ts";

const client = (apiKey = KEY) => new OpenAI({ apiKey, baseURL: `${gatewayUrl()}/v1`, maxRetries: 0 });

const WEATHER_TOOL = {
  type: "function" as const,
  function: {
    name: "get_weather",
    description: "The weather in a city",
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  },
};
const PERSON_SCHEMA = {
  type: "object",
  properties: { name: { type: "string" }, age: { type: "integer" } },
  required: ["name", "age"],
  additionalProperties: false,
};

const HI = [{ role: "user" as const, content: "hi" }];

afterEach(clearFaults);

describe("openai: chat completions", () => {
  it("completes a chat", async () => {
    const completion = await client().chat.completions.create({
      model: MODEL,
      messages: [{ role: "user", content: "Say hello." }],
    });
    expect(completion.choices[0]?.message.content).toMatch(/\w/);
    expect(completion.usage?.total_tokens).toBeGreaterThan(0);
  });

  it("streams a chat to the end, with usage", async () => {
    const stream = await client().chat.completions.create({
      model: PLAIN_MODEL,
      messages: [{ role: "user", content: "Count to five." }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      usage = chunk.usage ?? usage;
    }
    expect(text).toMatch(/\w/);
    expect(usage?.completion_tokens).toBeGreaterThan(0);
  });

  it("calls a tool", async () => {
    const completion = await client().chat.completions.create({
      model: MODEL,
      messages: [{ role: "user", content: "What is the weather in Paris? Use get_weather." }],
      tools: [WEATHER_TOOL],
    });
    const call = completion.choices[0]?.message.tool_calls?.[0];
    expect(completion.choices[0]?.finish_reason).toBe("tool_calls");
    expect(call?.type === "function" ? call.function.name : undefined).toBe("get_weather");
    expect(JSON.parse(call?.type === "function" ? call.function.arguments : "{}")).toEqual({
      city: expect.any(String),
    });
  });

  it("returns structured output that parses against the schema", async () => {
    const completion = await client().chat.completions.parse({
      model: MODEL,
      messages: [{ role: "user", content: "Invent a person." }],
      response_format: { type: "json_schema", json_schema: { name: "person", schema: PERSON_SCHEMA, strict: true } },
    });
    expect(JSON.parse(completion.choices[0]?.message.content ?? "")).toEqual({
      name: expect.any(String),
      age: expect.any(Number),
    });
  });

  it("aborts a stream mid-way, and the abort reaches Baseten", async () => {
    await clearRequests();
    await upstreamFault("/v1/chat/completions", SLOW_STREAM, 1);
    const controller = new AbortController();
    const stream = await client().chat.completions.create(
      {
        model: PLAIN_MODEL,
        messages: [{ role: "user", content: "Write a long story." }],
        stream: true,
        max_tokens: 4000,
      },
      { signal: controller.signal },
    );
    let chunks = 0;
    // The SDK ends the iteration quietly once its signal aborts.
    for await (const _ of stream) {
      chunks++;
      if (chunks === 2) controller.abort();
    }
    expect(chunks).toBe(2);
    await expect.poll(() => upstreamCancelledAt("/v1/chat/completions"), { timeout: 5000 }).toEqual(expect.any(Number));
  });

  it("rejects with APIUserAbortError when aborted before the answer", async () => {
    const controller = new AbortController();
    controller.abort();
    const call = client().chat.completions.create(
      { model: MODEL, messages: [{ role: "user", content: "hi" }] },
      { signal: controller.signal },
    );
    await expect(call).rejects.toBeInstanceOf(OpenAI.APIUserAbortError);
  });
});

describe("openai: responses", () => {
  it("creates a response", async () => {
    const response = await client().responses.create({ model: MODEL, input: "Say hello." });
    expect(response.status).toBe("completed");
    expect(response.output_text).toMatch(/\w/);
    expect(response.output.map((item) => item.type)).toEqual(["reasoning", "message"]);
    expect(response.usage?.output_tokens).toBeGreaterThan(0);
  });

  it("streams a response through OpenAI's events to response.completed", async () => {
    const stream = await client().responses.create({ model: PLAIN_MODEL, input: "Count to five.", stream: true });
    const types: string[] = [];
    let text = "";
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === "response.output_text.delta") text += event.delta;
    }
    expect(types[0]).toBe("response.created");
    expect(types.at(-1)).toBe("response.completed");
    expect(text).toMatch(/\w/);
  });

  it("collects a streamed response with the SDK's stream helper", async () => {
    const final = await client().responses.stream({ model: PLAIN_MODEL, input: "Say hello." }).finalResponse();
    expect(final.output_text).toMatch(/\w/);
  });

  it("calls a function tool", async () => {
    const response = await client().responses.create({
      model: MODEL,
      input: "What is the weather in Paris?",
      tools: [{ type: "function", name: "get_weather", parameters: WEATHER_TOOL.function.parameters, strict: true }],
    });
    const call = response.output.find((item) => item.type === "function_call");
    expect(call?.type === "function_call" ? call.name : undefined).toBe("get_weather");
  });

  it("returns structured output through text.format", async () => {
    const response = await client().responses.create({
      model: MODEL,
      input: "Invent a person.",
      text: { format: { type: "json_schema", name: "person", schema: PERSON_SCHEMA, strict: true } },
    });
    expect(JSON.parse(response.output_text)).toEqual({ name: expect.any(String), age: expect.any(Number) });
  });
});

describe("openai: models", () => {
  it("lists models and retrieves one whose id has a slash", async () => {
    const ids: string[] = [];
    for await (const model of client().models.list()) ids.push(model.id);
    expect(ids).toEqual(expect.arrayContaining([MODEL, "deepseek-ai/DeepSeek-V3.1", "moonshotai/Kimi-K2.5"]));
    const model = await client().models.retrieve(MODEL);
    expect(model).toMatchObject({ id: MODEL, object: "model", owned_by: "baseten" });
  });

  it("gets NotFoundError for an unknown model id", async () => {
    const error = await client()
      .models.retrieve("nobody/nothing")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect((error as InstanceType<typeof OpenAI.NotFoundError>).code).toBe("model_not_found");
  });
});

describe("openai: errors", () => {
  const classes: Record<number, unknown> = {
    400: OpenAI.BadRequestError,
    401: OpenAI.AuthenticationError,
    403: OpenAI.PermissionDeniedError,
    404: OpenAI.NotFoundError,
    429: OpenAI.RateLimitError,
    500: OpenAI.InternalServerError,
    503: OpenAI.InternalServerError,
  };

  it.each(ERROR_STATUSES)(
    "turns Baseten's %i into the SDK's own error class, with Baseten's message",
    async (status) => {
      await upstreamFault("/v1/chat/completions", `status=${status}; retry-after=30`);
      const error = await client()
        .chat.completions.create({ model: MODEL, messages: [{ role: "user", content: "hi" }] })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(classes[status] as typeof OpenAI.APIError);
      const apiError = error as InstanceType<typeof OpenAI.APIError>;
      expect(apiError.status).toBe(status);
      expect(apiError.message).toBe(`${status} ${UPSTREAM_MESSAGES[status]}`);
      expect(apiError.error).toMatchObject({ message: UPSTREAM_MESSAGES[status], param: null });
      if (status === 429) expect(apiError.headers?.get("retry-after")).toBe("30");
    },
  );

  it("turns an error before a stream's first byte into the same class", async () => {
    await upstreamFault("/v1/responses", "status=429; retry-after=30");
    const error = await client()
      .responses.create({ model: MODEL, input: "hi", stream: true })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect((error as InstanceType<typeof OpenAI.APIError>).type).toBe("rate_limit_error");
  });

  /** Reads a chat stream to its end: the content deltas seen, and the error it ended with, if any. */
  async function readChat(stream: AsyncIterable<OpenAI.Chat.Completions.ChatCompletionChunk>) {
    const deltas: string[] = [];
    const error = await (async () => {
      for await (const chunk of stream) deltas.push(chunk.choices[0]?.delta?.content ?? "");
    })().catch((e: unknown) => e);
    return { deltas, error };
  }

  it("raises an APIError with the gateway's message when Baseten's stream breaks between events", async () => {
    await upstreamFault("/v1/chat/completions", "chunks=20; cut-after=6", 1);
    const stream = await client().chat.completions.create({ model: PLAIN_MODEL, messages: HI, stream: true });
    const { deltas, error } = await readChat(stream);
    expect(deltas.length).toBeGreaterThan(0);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as Error).message).toMatch(/broke off before the answer was complete/);
  });

  it("raises a connection error, never a malformed event, when the stream breaks inside an event", async () => {
    await upstreamFault("/v1/chat/completions", "chunks=20; cut-after-bytes=700", 1);
    const stream = await client().chat.completions.create({ model: PLAIN_MODEL, messages: HI, stream: true });
    const { deltas, error } = await readChat(stream);
    expect(deltas.length).toBeGreaterThan(0);
    expect(error).toBeInstanceOf(Error);
    console.log(
      "DEBUG",
      (error as Error).constructor.name,
      (error as Error).message,
      (error as { cause?: unknown }).cause,
    );
    expect(error).not.toBeInstanceOf(SyntaxError);
  });

  it("gets AuthenticationError from the gateway itself without a key", async () => {
    const noKey = new OpenAI({
      apiKey: "unused",
      baseURL: `${gatewayUrl()}/v1`,
      maxRetries: 0,
      defaultHeaders: { authorization: null },
    });
    const error = await noKey.models.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
  });
});
