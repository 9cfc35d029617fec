// POST /v1/messages: the Anthropic Messages shape, named SSE events, tool_use, and Baseten's Authorization-only rule.
import { describe, expect, it } from "vitest";
import { createEmulator } from "../src/index.ts";
import { nestedToolResults, post, sseEvents } from "./helpers.ts";

const MESSAGE = {
  model: "deepseek-ai/DeepSeek-V4-Pro",
  max_tokens: 1024,
  messages: [{ role: "user", content: "What is gradient descent?" }],
};

describe("POST /v1/messages", () => {
  it("answers in the Anthropic message shape with thinking and text blocks", async () => {
    const res = await post(createEmulator(), "/v1/messages", MESSAGE);
    expect(res.status).toBe(200);
    expect(res.headers.get("x-baseten-request-id")).toMatch(/^[0-9a-f]{37}$/);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toEqual({
      id: expect.stringMatching(/^msg_[0-9a-f]{24}$/),
      type: "message",
      role: "assistant",
      model: MESSAGE.model,
      content: [
        { type: "thinking", thinking: expect.any(String), signature: expect.any(String) },
        { type: "text", text: expect.any(String) },
      ],
      stop_reason: "end_turn",
      stop_sequence: null,
      usage: {
        input_tokens: expect.any(Number),
        output_tokens: expect.any(Number),
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
      },
    });
  });

  it("streams message_start, block start/delta/stop, message_delta and message_stop in order", async () => {
    const res = await post(createEmulator(), "/v1/messages", { ...MESSAGE, stream: true });
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    expect(res.headers.get("cache-control")).toBe("no-cache");
    const events = sseEvents(await res.text());
    const names = events.map((e) => e.event);
    expect(names[0]).toBe("message_start");
    expect(names.slice(-2)).toEqual(["message_delta", "message_stop"]);
    expect(events.every((e) => e.data.type === e.event)).toBe(true);
    // Blocks open and close in order, each delta inside its block.
    let open: number | undefined;
    for (const { event, data } of events) {
      if (event === "content_block_start") open = data.index as number;
      if (event === "content_block_delta") expect(data.index).toBe(open);
      if (event === "content_block_stop") open = undefined;
    }
    expect(events.at(-2)?.data.delta).toEqual({ stop_reason: "end_turn", stop_sequence: null });
  });

  it("streams the same text the non-streamed answer gives", async () => {
    const whole = (await (await post(createEmulator(), "/v1/messages", MESSAGE)).json()) as {
      content: Array<{ type: string; text?: string }>;
    };
    const events = sseEvents(await (await post(createEmulator(), "/v1/messages", { ...MESSAGE, stream: true })).text());
    const text = events
      .flatMap((e) =>
        (e.data.delta as { type?: string; text?: string } | undefined)?.type === "text_delta"
          ? [(e.data.delta as { text: string }).text]
          : [],
      )
      .join("");
    expect(text).toBe(whole.content.find((b) => b.type === "text")?.text);
  });

  it("answers tool_use with input fitting the tool's input_schema", async () => {
    const tools = [
      {
        name: "get_weather",
        input_schema: {
          type: "object",
          properties: { city: { type: "string" }, days: { type: "integer" } },
          required: ["city"],
        },
      },
    ];
    const res = await post(createEmulator(), "/v1/messages", {
      ...MESSAGE,
      tools,
      tool_choice: { type: "any" },
      messages: [{ role: "user", content: "weather for 3 days" }],
    });
    const body = (await res.json()) as { stop_reason: string; content: Array<Record<string, unknown>> };
    expect(body.stop_reason).toBe("tool_use");
    expect(body.content.at(-1)).toEqual({
      type: "tool_use",
      id: expect.stringMatching(/^toolu_/),
      name: "get_weather",
      input: { city: expect.any(String), days: 3 },
    });
  });

  it("streams tool input as input_json_delta pieces that join into the input", async () => {
    const tools = [{ name: "sum", input_schema: { type: "object", properties: { a: { type: "number" } } } }];
    const res = await post(createEmulator(), "/v1/messages", {
      ...MESSAGE,
      model: "zai-org/GLM-4.7",
      stream: true,
      tools,
      tool_choice: { type: "tool", name: "sum" },
      messages: [{ role: "user", content: "sum 7" }],
    });
    const events = sseEvents(await res.text());
    const json = events
      .flatMap((e) =>
        (e.data.delta as { type?: string } | undefined)?.type === "input_json_delta"
          ? [(e.data.delta as { partial_json: string }).partial_json]
          : [],
      )
      .join("");
    expect(JSON.parse(json)).toEqual({ a: 7 });
  });

  it("reports max_tokens as the stop reason when the budget runs out", async () => {
    const body = (await (await post(createEmulator(), "/v1/messages", { ...MESSAGE, max_tokens: 2 })).json()) as {
      stop_reason: string;
      usage: { output_tokens: number };
    };
    expect(body.stop_reason).toBe("max_tokens");
    expect(body.usage.output_tokens).toBe(2);
  });

  it("refuses an x-api-key header without Authorization as no key: Baseten's documented 401", async () => {
    const res = await post(createEmulator(), "/v1/messages", MESSAGE, {
      "x-api-key": "emulator-key",
      "anthropic-version": "2023-06-01",
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: "invalid or missing API key" });
  });

  it("requires max_tokens, as the Anthropic API does", async () => {
    const { max_tokens: _, ...body } = MESSAGE;
    const res = await post(createEmulator(), "/v1/messages", body);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: expect.stringContaining("max_tokens") });
  });

  it("answers tool_result blocks nested 20,000 deep with a 400, not a stack overflow", async () => {
    const content = nestedToolResults(20_000);
    const body = `{"model":"${MESSAGE.model}","max_tokens":16,"messages":[{"role":"user","content":${content}}]}`;
    const res = await post(createEmulator(), "/v1/messages", body);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: "content nests tool_result blocks more than 32 deep" });
  });

  it("still reads tool_result blocks nested 32 deep", async () => {
    const content = nestedToolResults(32);
    const body = `{"model":"${MESSAGE.model}","max_tokens":16,"messages":[{"role":"user","content":${content}}]}`;
    expect((await post(createEmulator(), "/v1/messages", body)).status).toBe(200);
  });

  it("refuses a message role other than user or assistant", async () => {
    const res = await post(createEmulator(), "/v1/messages", {
      ...MESSAGE,
      messages: [{ role: "system", content: "x" }],
    });
    expect(res.status).toBe(400);
  });
});
