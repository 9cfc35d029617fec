// POST /v1/responses: OpenAI's Responses shape, its published stream event order, tools, reasoning, text.format, statelessness.
import { describe, expect, it } from "vitest";
import { createEmulator } from "../src/index.ts";
import { nestedToolResults, post, sseEvents } from "./helpers.ts";

const REQUEST = { model: "openai/gpt-oss-120b", input: "What is gradient descent?" };
const WEATHER = {
  type: "function",
  name: "get_weather",
  parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
};

async function respond(body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const res = await post(createEmulator(), "/v1/responses", body);
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

async function stream(body: Record<string, unknown>) {
  const res = await post(createEmulator(), "/v1/responses", { ...body, stream: true });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toBe("text/event-stream");
  return sseEvents(await res.text());
}

describe("POST /v1/responses, whole", () => {
  it("answers a response object with a reasoning item, a message and usage", async () => {
    const body = await respond(REQUEST);
    expect(body).toMatchObject({
      id: expect.stringMatching(/^resp_[0-9a-f]{32}$/),
      object: "response",
      status: "completed",
      model: REQUEST.model,
      store: false,
      previous_response_id: null,
      error: null,
      incomplete_details: null,
    });
    const output = body.output as Array<Record<string, unknown>>;
    expect(output.map((item) => item.type)).toEqual(["reasoning", "message"]);
    expect(output[1]).toMatchObject({
      role: "assistant",
      status: "completed",
      content: [{ type: "output_text", text: expect.stringMatching(/\w/), annotations: [] }],
    });
    const usage = body.usage as {
      input_tokens: number;
      output_tokens: number;
      total_tokens: number;
      output_tokens_details: { reasoning_tokens: number };
    };
    expect(usage.total_tokens).toBe(usage.input_tokens + usage.output_tokens);
    expect(usage.output_tokens_details.reasoning_tokens).toBeGreaterThan(0);
  });

  it("leaves reasoning out for a model that thinks only when asked, and adds it when reasoning.effort asks", async () => {
    const plain = await respond({ model: "zai-org/GLM-4.7", input: "hi" });
    expect((plain.output as Array<{ type: string }>).map((i) => i.type)).toEqual(["message"]);
    const asked = await respond({ model: "zai-org/GLM-4.7", input: "hi", reasoning: { effort: "low" } });
    expect((asked.output as Array<{ type: string }>).map((i) => i.type)).toEqual(["reasoning", "message"]);
  });

  it("calls a function tool with arguments that fit its schema", async () => {
    const body = await respond({ ...REQUEST, input: "Weather in Paris?", tools: [WEATHER] });
    const call = (body.output as Array<Record<string, unknown>>).find((item) => item.type === "function_call");
    expect(call).toMatchObject({
      id: expect.stringMatching(/^fc_/),
      call_id: expect.stringMatching(/^call_/),
      name: "get_weather",
      status: "completed",
    });
    expect(JSON.parse(String(call?.arguments))).toEqual({ city: expect.any(String) });
  });

  it("answers in text after a function_call_output", async () => {
    const body = await respond({
      ...REQUEST,
      tools: [WEATHER],
      input: [
        { role: "user", content: "Weather in Paris?" },
        { type: "function_call", call_id: "call_1", name: "get_weather", arguments: '{"city":"Paris"}' },
        { type: "function_call_output", call_id: "call_1", output: "sunny" },
      ],
    });
    expect((body.output as Array<{ type: string }>).at(-1)?.type).toBe("message");
  });

  it("writes JSON that fits text.format's schema", async () => {
    const schema = {
      type: "object",
      properties: { name: { type: "string" }, age: { type: "integer" } },
      required: ["name", "age"],
    };
    const body = await respond({
      ...REQUEST,
      text: { format: { type: "json_schema", name: "person", schema, strict: true } },
    });
    const message = (body.output as Array<Record<string, unknown>>).find((item) => item.type === "message");
    const text = (message?.content as Array<{ text: string }> | undefined)?.[0]?.text ?? "";
    expect(JSON.parse(text)).toEqual({ name: expect.any(String), age: expect.any(Number) });
    expect(body.text).toEqual({ format: { type: "json_schema", name: "person", schema, strict: true } });
  });

  it("is incomplete, with the reason, when max_output_tokens cuts the answer", async () => {
    const body = await respond({ ...REQUEST, max_output_tokens: 3 });
    expect(body.status).toBe("incomplete");
    expect(body.incomplete_details).toEqual({ reason: "max_output_tokens" });
  });
});

describe("POST /v1/responses, streamed", () => {
  it("follows OpenAI's event sequence, numbered, and the deltas add up to the final text", async () => {
    const events = await stream({ model: "zai-org/GLM-4.7", input: "hi" });
    const types = events.map((e) => e.event);
    expect(types.slice(0, 4)).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.content_part.added",
    ]);
    expect(types.slice(-4)).toEqual([
      "response.output_text.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.completed",
    ]);
    expect(events.map((e) => e.data.sequence_number)).toEqual(events.map((_, i) => i));
    for (const e of events) expect(e.data.type).toBe(e.event);
    const deltas = events.filter((e) => e.event === "response.output_text.delta").map((e) => e.data.delta);
    expect(deltas.length).toBeGreaterThan(1);
    const done = events.find((e) => e.event === "response.output_text.done");
    expect(deltas.join("")).toBe(done?.data.text);
    const completed = events.at(-1)?.data.response as { usage: { output_tokens: number }; status: string };
    expect(completed.status).toBe("completed");
    expect(completed.usage.output_tokens).toBe(deltas.length);
  });

  it("streams reasoning text before the message for a reasoning model", async () => {
    const types = (await stream(REQUEST)).map((e) => e.event);
    expect(types).toContain("response.reasoning_text.delta");
    expect(types.indexOf("response.reasoning_text.done")).toBeLessThan(types.indexOf("response.output_text.delta"));
  });

  it("streams a function call's arguments as deltas", async () => {
    const events = await stream({ model: "zai-org/GLM-4.7", input: "Weather in Paris?", tools: [WEATHER] });
    const deltas = events.filter((e) => e.event === "response.function_call_arguments.delta").map((e) => e.data.delta);
    const done = events.find((e) => e.event === "response.function_call_arguments.done");
    expect(deltas.join("")).toBe(done?.data.arguments);
    expect(done?.data.name).toBe("get_weather");
    const item = events.find((e) => e.event === "response.output_item.done")?.data.item as Record<string, unknown>;
    expect(item).toMatchObject({ type: "function_call", name: "get_weather", arguments: done?.data.arguments });
  });
});

describe("POST /v1/responses, refusals", () => {
  it.each([
    [{ ...REQUEST, previous_response_id: "resp_1" }, /stateless/],
    [{ ...REQUEST, input: [{ type: "item_reference", id: "rs_1" }] }, /stateless/],
    [{ model: REQUEST.model }, /input is required/],
    [{ ...REQUEST, tools: [{ type: "web_search" }] }, /only function tools/],
    [{ ...REQUEST, text: { format: { type: "yaml" } } }, /text\.format\.type/],
    ["{not json", /not valid JSON/],
  ])("answers %j with a 400 in OpenAI's error shape", async (body, message) => {
    const res = await post(createEmulator(), "/v1/responses", body);
    expect(res.status).toBe(400);
    const error = ((await res.json()) as { error: Record<string, unknown> }).error;
    expect(error).toEqual({
      message: expect.stringMatching(message),
      type: "invalid_request_error",
      param: null,
      code: null,
    });
  });

  it("answers content nesting tool_result blocks 20,000 deep with a 400 in OpenAI's error shape", async () => {
    const body = `{"model":"${REQUEST.model}","input":[{"role":"user","content":${nestedToolResults(20_000)}}]}`;
    const res = await post(createEmulator(), "/v1/responses", body);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: {
        message: "content nests tool_result blocks more than 32 deep",
        type: "invalid_request_error",
        param: null,
        code: null,
      },
    });
  });

  it("accepts store: true and says the response was not stored", async () => {
    expect((await respond({ ...REQUEST, store: true })).store).toBe(false);
  });
});
