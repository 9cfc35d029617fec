// Vercel's AI SDK with its default providers — `openai(model)` (the Responses API), `openai.chat`,
// `@ai-sdk/openai-compatible` and `@ai-sdk/anthropic` — against the Worker under workerd.
import { createAnthropic } from "@ai-sdk/anthropic";
import { createOpenAI } from "@ai-sdk/openai";
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { APICallError, generateText, type LanguageModel, Output, streamText, tool } from "ai";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import {
  clearFaults,
  clearRequests,
  ERROR_STATUSES,
  gatewayUrl,
  KEY,
  MODEL,
  SLOW_STREAM,
  UPSTREAM_MESSAGES,
  upstreamCancelledAt,
  upstreamFault,
} from "./stack.ts";

const openai = () => createOpenAI({ apiKey: KEY, baseURL: `${gatewayUrl()}/v1` });
// supportsStructuredOutputs: the provider's documented switch for `json_schema` (else it sends
// `json_object` and drops the schema); Baseten supports structured outputs on every model.
const compatible = () =>
  createOpenAICompatible({
    name: "baseten",
    apiKey: KEY,
    baseURL: `${gatewayUrl()}/v1`,
    supportsStructuredOutputs: true,
  });
const anthropic = () => createAnthropic({ apiKey: KEY, baseURL: `${gatewayUrl()}/v1` });

const providers: [string, string, () => LanguageModel][] = [
  ["openai(model): the default, Responses API", "/v1/responses", () => openai()(MODEL)],
  ["openai.chat(model)", "/v1/chat/completions", () => openai().chat(MODEL)],
  ["@ai-sdk/openai-compatible", "/v1/chat/completions", () => compatible()(MODEL)],
  ["@ai-sdk/anthropic", "/v1/messages", () => anthropic()(MODEL)],
];

const weather = tool({
  description: "The weather in a city",
  inputSchema: z.object({ city: z.string() }),
});
const person = z.object({ name: z.string(), age: z.number().int() });

afterEach(clearFaults);

describe.each(providers)("AI SDK, %s", (_, path, model) => {
  it("generates text", async () => {
    const result = await generateText({ model: model(), prompt: "Say hello.", maxRetries: 0 });
    expect(result.text).toMatch(/\w/);
    expect(result.usage.outputTokens).toBeGreaterThan(0);
  });

  it("streams text to the end", async () => {
    const result = streamText({ model: model(), prompt: "Count to five.", maxRetries: 0 });
    let text = "";
    for await (const delta of result.textStream) text += delta;
    expect(text).toMatch(/\w/);
    expect(await result.finishReason).toBe("stop");
  });

  it.each(["cut-after=12", "cut-after-bytes=4000"])(
    "ends with an error, never a clean finish, when Baseten's stream breaks (%s)",
    async (fault) => {
      await upstreamFault(path, `chunks=60; ${fault}`, 1);
      const errors: unknown[] = [];
      const result = streamText({
        model: model(),
        prompt: "Count to five.",
        maxRetries: 0,
        onError: ({ error }) => {
          errors.push(error);
        },
      });
      // An error event arrives as an error part (onError); a broken transport makes the reading throw.
      let text = "";
      const thrown = await (async () => {
        for await (const delta of result.textStream) text += delta;
      })().catch((e: unknown) => e);
      expect(text).toMatch(/\w/);
      expect([...errors, ...(thrown ? [thrown] : [])]).not.toEqual([]);
      expect(await Promise.resolve(result.finishReason).catch(() => "rejected")).not.toBe("stop");
    },
  );

  it("calls a tool", async () => {
    const result = await generateText({
      model: model(),
      prompt: "What is the weather in Paris? Use get_weather.",
      tools: { get_weather: weather },
      maxRetries: 0,
    });
    expect(result.toolCalls).toEqual([
      expect.objectContaining({ toolName: "get_weather", input: { city: expect.any(String) } }),
    ]);
  });

  it("generates structured output", async () => {
    const result = await generateText({
      model: model(),
      prompt: "Invent a person.",
      output: Output.object({ schema: person }),
      maxRetries: 0,
    });
    expect(person.parse(result.output)).toEqual({ name: expect.any(String), age: expect.any(Number) });
  });

  it("aborts a stream mid-way, rejects with AbortError, and the abort reaches Baseten", async () => {
    await clearRequests();
    await upstreamFault(path, SLOW_STREAM, 1);
    const controller = new AbortController();
    const result = streamText({
      model: model(),
      prompt: "Write a long story.",
      abortSignal: controller.signal,
      maxRetries: 0,
    });
    let deltas = 0;
    // The SDK ends `textStream` quietly on abort; its promises (`text`, `finishReason`) reject.
    for await (const _ of result.textStream) {
      deltas++;
      if (deltas === 2) controller.abort();
    }
    expect(deltas).toBeLessThan(200); // stopped well before the stream's end
    await expect(result.text).rejects.toMatchObject({ name: "AbortError" });
    await expect.poll(() => upstreamCancelledAt(path), { timeout: 5000 }).toEqual(expect.any(Number));
  });

  it.each(ERROR_STATUSES)("reports Baseten's %i as APICallError with the status and message", async (status) => {
    await upstreamFault(path, `status=${status}; retry-after=30`);
    const error = await generateText({ model: model(), prompt: "hi", maxRetries: 0 }).catch((e: unknown) => e);
    expect(APICallError.isInstance(error)).toBe(true);
    const callError = error as APICallError;
    expect(callError.statusCode).toBe(status);
    expect(callError.message).toContain(UPSTREAM_MESSAGES[status]);
  });
});
