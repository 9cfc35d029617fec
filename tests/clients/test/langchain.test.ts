// LangChain JS's ChatOpenAI, in chat-completions mode and in Responses mode, against the Worker under workerd.
import { HumanMessage } from "@langchain/core/messages";
import { ChatOpenAI } from "@langchain/openai";
import OpenAI from "openai";
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

const chat = (useResponsesApi: boolean) =>
  new ChatOpenAI({
    model: MODEL,
    apiKey: KEY,
    configuration: { baseURL: `${gatewayUrl()}/v1` },
    maxRetries: 0,
    useResponsesApi,
  });

const weather = {
  type: "function" as const,
  function: {
    name: "get_weather",
    description: "The weather in a city",
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  },
};

afterEach(clearFaults);

describe.each([
  ["chat completions", false, "/v1/chat/completions"],
  ["Responses API", true, "/v1/responses"],
] as const)("LangChain ChatOpenAI, %s", (_, responses, path) => {
  it("invokes", async () => {
    const message = await chat(responses).invoke([new HumanMessage("Say hello.")]);
    expect(message.text).toMatch(/\w/);
    expect(message.usage_metadata?.output_tokens).toBeGreaterThan(0);
  });

  it("streams", async () => {
    let text = "";
    for await (const chunk of await chat(responses).stream("Count to five.")) text += chunk.text;
    expect(text).toMatch(/\w/);
  });

  it("calls a bound tool", async () => {
    const message = await chat(responses).bindTools([weather]).invoke("What is the weather in Paris?");
    expect(message.tool_calls).toEqual([
      expect.objectContaining({ name: "get_weather", args: { city: expect.any(String) } }),
    ]);
  });

  it("returns structured output", async () => {
    const person = z.object({ name: z.string(), age: z.number().int() });
    const result = await chat(responses).withStructuredOutput(person, { name: "person" }).invoke("Invent a person.");
    expect(person.parse(result)).toEqual({ name: expect.any(String), age: expect.any(Number) });
  });

  it("aborts a stream mid-way, rejects with AbortError, and the abort reaches Baseten", async () => {
    await clearRequests();
    await upstreamFault(path, SLOW_STREAM, 1);
    const controller = new AbortController();
    let texts = 0;
    const read = async () => {
      for await (const chunk of await chat(responses).stream("Write a long story.", { signal: controller.signal })) {
        // Count text only: the Responses API opens with events that carry none.
        if (chunk.text !== "") texts++;
        if (texts === 2) controller.abort();
      }
    };
    await expect(read()).rejects.toMatchObject({ name: "AbortError" });
    expect(texts).toBeLessThan(200); // stopped well before the stream's end
    await expect.poll(() => upstreamCancelledAt(path), { timeout: 5000 }).toEqual(expect.any(Number));
  });

  it.each(ERROR_STATUSES)("surfaces Baseten's %i as the openai SDK's error class, with the message", async (status) => {
    await upstreamFault(path, `status=${status}; retry-after=30`);
    const error = await chat(responses)
      .invoke("hi")
      .catch((e: unknown) => e);
    // LangChain raises the openai SDK's own errors (its error-code hints aside).
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(status);
    expect((error as Error).message).toContain(UPSTREAM_MESSAGES[status]);
  });
});
