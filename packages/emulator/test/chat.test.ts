// POST /v1/chat/completions and GET /v1/models: shapes, framing and headers as recorded, deterministic content, errors.
import { readFile } from "node:fs/promises";
import type { ChatCompletion, ChatCompletionChunk } from "@baseten-edge/core";
import { describe, expect, it } from "vitest";
import { DEFAULT_MODELS } from "../src/catalog/default-models.ts";
import { WARMUP_MODELS_BODY } from "../src/catalog/warmup.generated.ts";
import { createEmulator, parseCassette } from "../src/index.ts";
import { pythonJson } from "../src/python-json.ts";
import { bearer, CHAT, FIXTURES, get, nestedToolResults, post, sseData } from "./helpers.ts";

async function recorded(path: string): Promise<{ body: string; headers: Record<string, string[]>; code: number }> {
  const cassette = parseCassette(await readFile(`${FIXTURES}${path}`, "utf8"), path);
  const response = cassette.interactions[0]?.response;
  if (!response) throw new Error(`${path} has no interaction`);
  return response;
}

async function chat(
  body: Record<string, unknown>,
  emulator = createEmulator(),
): Promise<ChatCompletion & { choices: Array<{ message: Record<string, unknown> }> }> {
  const res = await post(emulator, "/v1/chat/completions", { ...CHAT, ...body });
  expect(res.status).toBe(200);
  return (await res.json()) as never;
}

async function stream(
  body: Record<string, unknown>,
  emulator = createEmulator(),
): Promise<{ res: Response; chunks: ChatCompletionChunk[]; data: string[]; text: string }> {
  const res = await post(emulator, "/v1/chat/completions", { ...CHAT, stream: true, ...body });
  const text = await res.text();
  const data = sseData(text);
  const chunks = data.filter((d) => d !== "[DONE]").map((d) => JSON.parse(d) as ChatCompletionChunk);
  return { res, chunks, data, text };
}

// What kind of chunk a chunk is, by the keys it carries (the framing the recordings show).
function kind(chunk: ChatCompletionChunk): string {
  const choice = chunk.choices[0] as (Record<string, unknown> & { delta: Record<string, unknown> }) | undefined;
  if (!choice) return "usage";
  if ("finish_reason" in choice) return "finish";
  if (choice.delta.role === "assistant") return "role";
  if ("reasoning_content" in choice.delta) return "reasoning";
  if (choice.delta.tool_calls !== null) return "tool";
  return "content";
}

function keysOf(chunk: ChatCompletionChunk): string {
  const choice = chunk.choices[0] as (Record<string, unknown> & { delta: Record<string, unknown> }) | undefined;
  return JSON.stringify([
    Object.keys(chunk),
    choice ? Object.keys(choice) : [],
    choice ? Object.keys(choice.delta) : [],
  ]);
}

describe("GET /v1/models", () => {
  it("keeps the recorded Warmup.yaml entries byte for byte, then lists the catalog's unrecorded models", async () => {
    const warmup = await recorded("Warmup.yaml");
    const res = await get(createEmulator(), "/v1/models");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(res.headers.get("cache-control")).toBeNull();
    const text = await res.text();
    expect(text.startsWith(warmup.body.slice(0, -2))).toBe(true);
    expect(pythonJson(JSON.parse(text))).toBe(text);
  });

  it("lists every catalog model, with seed 003's features and vision", async () => {
    const body = (await (await get(createEmulator(), "/v1/models")).json()) as {
      data: Array<{ id: string; supported_features: string[]; input_modalities: string[] }>;
    };
    const byId = new Map(body.data.map((m) => [m.id, m]));
    for (const spec of DEFAULT_MODELS) {
      const entry = byId.get(spec.inferenceId);
      expect(entry, spec.inferenceId).toBeDefined();
      expect(entry?.supported_features).toEqual(expect.arrayContaining(["tools", "json_mode", "structured_outputs"]));
      expect(entry?.input_modalities.includes("image")).toBe(spec.vision);
    }
    expect(byId.get("moonshotai/Kimi-K2.5")?.input_modalities).toEqual(["text", "image"]);
  });

  it("answers a chat completion for every catalog model", async () => {
    const emulator = createEmulator();
    for (const spec of DEFAULT_MODELS) {
      const res = await post(emulator, "/v1/chat/completions", { ...CHAT, model: spec.inferenceId });
      expect(res.status, spec.inferenceId).toBe(200);
    }
  });

  it("writes JSON exactly as Python does, so synthetic catalogs keep the recorded formatting", () => {
    expect(pythonJson(JSON.parse(WARMUP_MODELS_BODY))).toBe(WARMUP_MODELS_BODY);
  });

  it("appends synthetic models in the recorded entry shape", async () => {
    const body = (await (await get(createEmulator({ models: 3 }), "/v1/models")).json()) as {
      data: Array<Record<string, unknown>>;
    };
    const recordedKeys = Object.keys(body.data[0] ?? {}).filter((k) => k !== "hugging_face_id");
    const synthetic = body.data.slice(-3);
    expect(synthetic.map((m) => m.id)).toEqual([
      expect.stringMatching(/^emulator\/emulated-\w+-00001$/),
      expect.stringMatching(/^emulator\/emulated-\w+-00002$/),
      expect.stringMatching(/^emulator\/emulated-\w+-00003$/),
    ]);
    for (const model of synthetic) expect(Object.keys(model)).toEqual(recordedKeys);
  });

  it("refuses a bad key with the recorded 403", async () => {
    const res = await get(createEmulator(), "/v1/models", bearer("nope"));
    expect(res.status).toBe(403);
    expect(await res.text()).toBe('{"error":"please check the api-key you provided"}\n');
  });
});

describe("POST /v1/chat/completions, non-streamed", () => {
  it("answers in the recorded chat.completion shape with the X-Baseten headers", async () => {
    const res = await post(createEmulator(), "/v1/chat/completions", CHAT);
    const real = await recorded("Scoreboard/deepseek-ai/DeepSeek-V4-Pro_thinking/GenSync-Text.yaml");
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(Object.keys(JSON.parse(real.body) as object));
    expect(body.object).toBe("chat.completion");
    expect(body.id).toMatch(/^chatcmpl-[0-9a-f]{32}$/);
    for (const name of Object.keys(real.headers).filter((h) => h.startsWith("X-Baseten"))) {
      expect(res.headers.get(name), name).toBeTruthy();
    }
    expect(res.headers.get("x-baseten-request-id")).toMatch(/^[0-9a-f]{37}$/);
    expect(res.headers.get("content-length")).toBe(String(new TextEncoder().encode(JSON.stringify(body)).byteLength));
  });

  it("gives the same content for the same request and different content for another", async () => {
    const a = await chat({});
    const b = await chat({});
    const c = await chat({ messages: [{ role: "user", content: "Something else entirely" }] });
    expect(a.choices[0]?.message).toEqual(b.choices[0]?.message);
    expect(c.choices[0]?.message.content).not.toEqual(a.choices[0]?.message.content);
  });

  it("adds reasoning_content for a reasoning-by-default model and its tokens to usage", async () => {
    const body = await chat({});
    expect(body.choices[0]?.message.reasoning_content).toEqual(expect.stringContaining("Say hello"));
    expect(body.usage?.completion_tokens_details?.reasoning_tokens).toBeGreaterThan(0);
  });

  it("thinks on an opt-in model only when chat_template_args.enable_thinking is true", async () => {
    const off = await chat({ model: "zai-org/GLM-4.7" });
    const on = await chat({ model: "zai-org/GLM-4.7", chat_template_args: { enable_thinking: true } });
    expect(off.choices[0]?.message.reasoning_content).toBeUndefined();
    expect(on.choices[0]?.message.reasoning_content).toEqual(expect.any(String));
  });

  it("stops with finish_reason length when max_tokens runs out", async () => {
    const body = await chat({ max_tokens: 3 });
    expect(body.choices[0]?.finish_reason).toBe("length");
    expect(body.usage?.completion_tokens).toBe(3);
  });

  it("cuts the text at a stop sequence", async () => {
    const full = String((await chat({ model: "zai-org/GLM-4.7" })).choices[0]?.message.content);
    const stop = full.split(" ")[3] ?? "";
    const cut = await chat({ model: "zai-org/GLM-4.7", stop: [stop] });
    expect(cut.choices[0]?.message.content).toBe(full.slice(0, full.indexOf(stop)));
    expect(cut.choices[0]?.finish_reason).toBe("stop");
  });

  it("calls the requested tool with arguments that fit its schema and numbers from the prompt", async () => {
    const real = await recorded("Scoreboard/deepseek-ai/DeepSeek-V4-Pro_thinking/GenSync-Tools-SquareRoot-1.yaml");
    const request = JSON.parse(
      parseCassette(
        await readFile(
          `${FIXTURES}Scoreboard/deepseek-ai/DeepSeek-V4-Pro_thinking/GenSync-Tools-SquareRoot-1.yaml`,
          "utf8",
        ),
      ).interactions[0]?.request.body ?? "{}",
    );
    const body = await chat(request);
    const message = body.choices[0]?.message as {
      tool_calls: Array<{ id: string; type: string; function: { name: string; arguments: string } }>;
    };
    expect(body.choices[0]?.finish_reason).toBe("tool_calls");
    expect(message.tool_calls[0]?.function.name).toBe("square_root");
    expect(JSON.parse(message.tool_calls[0]?.function.arguments ?? "")).toEqual({ number: 132413 });
    expect(message.tool_calls[0]?.id).toMatch(/^chatcmpl-tool-[0-9a-f]{32}$/);
    const realKeys = Object.keys(
      (JSON.parse(real.body) as ChatCompletion & { choices: Array<{ message: object }> }).choices[0]?.message ?? {},
    );
    expect(Object.keys(message).filter((k) => k !== "reasoning_content")).toEqual(realKeys);
  });

  it("stops growing tool arguments at 10,000 schema nodes, so a tiny schema asking for 16^6 values answers at once", async () => {
    let parameters: Record<string, unknown> = { type: "integer" };
    for (let level = 0; level < 6; level++) parameters = { type: "array", minItems: 16, items: parameters };
    const body = await chat({ tools: [{ type: "function", function: { name: "grid", parameters } }] });
    const calls = body.choices[0]?.message.tool_calls as Array<{ function: { arguments: string } }>;
    const leaves = (JSON.parse(calls[0]?.function.arguments ?? "") as unknown[]).flat(6);
    expect(leaves.length).toBeGreaterThan(1000);
    expect(leaves.length).toBeLessThanOrEqual(10_000);
    expect(leaves.every((leaf) => Number.isInteger(leaf))).toBe(true);
  });

  it("answers in text after a tool result when tool_choice is auto", async () => {
    const tools = [{ type: "function", function: { name: "lookup", parameters: { type: "object", properties: {} } } }];
    const body = await chat({
      tools,
      messages: [
        { role: "user", content: "look it up" },
        {
          role: "assistant",
          tool_calls: [{ id: "t1", type: "function", function: { name: "lookup", arguments: "{}" } }],
        },
        { role: "tool", tool_call_id: "t1", content: "42" },
      ],
    });
    expect(body.choices[0]?.finish_reason).toBe("stop");
    expect(body.choices[0]?.message.content).toEqual(expect.any(String));
  });

  it("never calls a tool when tool_choice is none", async () => {
    const tools = [{ type: "function", function: { name: "lookup", parameters: {} } }];
    const body = await chat({ tools, tool_choice: "none" });
    expect(body.choices[0]?.message.tool_calls).toBeUndefined();
  });

  it("answers a JSON object in JSON mode", async () => {
    const body = await chat({ response_format: { type: "json_object" } });
    expect(JSON.parse(String(body.choices[0]?.message.content))).toEqual({ answer: expect.any(String) });
  });

  it("answers JSON that fits the json_schema response format", async () => {
    const schema = {
      type: "object",
      properties: {
        is_fruit: { type: "boolean" },
        name: { type: "string" },
        tags: { type: "array", items: { type: "string" }, minItems: 2 },
        kind: { enum: ["a", "b"] },
      },
      required: ["is_fruit", "name"],
    };
    const body = await chat({ response_format: { type: "json_schema", json_schema: { name: "fruit", schema } } });
    const value = JSON.parse(String(body.choices[0]?.message.content)) as Record<string, unknown>;
    expect(value).toEqual({
      is_fruit: expect.any(Boolean),
      name: expect.any(String),
      tags: [expect.any(String), expect.any(String)],
      kind: expect.stringMatching(/^[ab]$/),
    });
  });
});

describe("POST /v1/chat/completions, streamed", () => {
  it("frames events exactly like the recordings: data lines, chunk keys, running usage, a usage chunk, then [DONE]", async () => {
    const realShapes = new Set<string>();
    for (const path of [
      "Scoreboard/deepseek-ai/DeepSeek-V4-Pro_thinking/GenStream-Text.yaml",
      "Scoreboard/openai/gpt-oss-120b_thinking/GenStream-Tools-SquareRoot-1.yaml",
    ]) {
      const real = await recorded(path);
      expect(real.body.endsWith("}\n\ndata: [DONE]\n\n")).toBe(true);
      for (const d of sseData(real.body))
        if (d !== "[DONE]")
          realShapes.add(
            `${kind(JSON.parse(d) as ChatCompletionChunk)} ${keysOf(JSON.parse(d) as ChatCompletionChunk)}`,
          );
    }
    const { text, data, chunks } = await stream({ stream_options: { include_usage: true } });
    expect(text).toMatch(/^(data: [^\n]+\n\n)+$/);
    expect(text.endsWith("}\n\ndata: [DONE]\n\n")).toBe(true);
    expect(data.filter((d) => d === "[DONE]")).toHaveLength(1);
    for (const chunk of chunks) expect(realShapes, kind(chunk)).toContain(`${kind(chunk)} ${keysOf(chunk)}`);
    expect(chunks.at(-1)?.choices).toEqual([]);
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe("stop");
  });

  it("sends the recorded streaming headers", async () => {
    const real = await recorded("Scoreboard/deepseek-ai/DeepSeek-V4-Pro_thinking/GenStream-Text.yaml");
    const { res } = await stream({});
    expect(res.headers.get("content-type")).toBe(real.headers["Content-Type"]?.[0]);
    expect(res.headers.get("cache-control")).toBe(real.headers["Cache-Control"]?.[0]);
    expect(res.headers.get("content-length")).toBeNull();
    for (const name of Object.keys(real.headers).filter((h) => h.startsWith("X-Baseten")))
      expect(res.headers.has(name), name).toBe(true);
  });

  it("carries a running usage in every chunk that only grows, ending at the final totals", async () => {
    const { chunks } = await stream({});
    const counts = chunks.map((c) => c.usage?.completion_tokens ?? -1);
    expect(counts.every((n) => n >= 0)).toBe(true);
    expect([...counts].sort((a, b) => a - b)).toEqual(counts);
    const final = chunks.at(-1)?.usage;
    expect(final?.total_tokens).toBe((final?.prompt_tokens ?? 0) + (final?.completion_tokens ?? 0));
  });

  it("streams the same text the non-streamed answer gives", async () => {
    const { chunks } = await stream({});
    const whole = await chat({});
    const content = chunks
      .map((c) => (c.choices[0]?.delta as { content?: string | null } | undefined)?.content ?? "")
      .join("");
    const reasoning = chunks
      .map((c) => (c.choices[0]?.delta as { reasoning_content?: string } | undefined)?.reasoning_content ?? "")
      .join("");
    expect(content).toBe(whole.choices[0]?.message.content);
    expect(reasoning).toBe(whole.choices[0]?.message.reasoning_content);
  });

  it("leaves usage null and sends no usage chunk when include_usage is false", async () => {
    const { chunks } = await stream({ stream_options: { include_usage: false } });
    expect(chunks.every((c) => c.usage === null)).toBe(true);
    expect(chunks.at(-1)?.choices).toHaveLength(1);
  });

  it("streams a tool call as a named first delta then argument pieces, as gpt-oss does", async () => {
    const tools = [
      {
        type: "function",
        function: { name: "square_root", parameters: { type: "object", properties: { number: { type: "number" } } } },
      },
    ];
    const { chunks } = await stream({
      model: "openai/gpt-oss-120b",
      tools,
      tool_choice: "required",
      messages: [{ role: "user", content: "root of 81" }],
    });
    const calls = chunks
      .filter((c) => kind(c) === "tool")
      .map((c) => {
        const call = c.choices[0]?.delta.tool_calls?.[0] as unknown as {
          function: { name: string | null; arguments: string };
        };
        return call.function;
      });
    expect(calls[0]).toEqual({ name: "square_root", arguments: "" });
    expect(calls.slice(1).every((f) => f.name === null)).toBe(true);
    expect(JSON.parse(calls.map((f) => f.arguments).join(""))).toEqual({ number: 81 });
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe("tool_calls");
  });
});

describe("chat errors", () => {
  it("answers a bad key with the recorded 403 body, before any SSE", async () => {
    const real = await recorded("errors/bad_apiKey/GenStream.yaml");
    const res = await post(createEmulator(), "/v1/chat/completions", { ...CHAT, stream: true }, bearer("bad"));
    expect(res.status).toBe(real.code);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(await res.text()).toBe(real.body);
  });

  it("answers an unknown model with the recorded 403 body", async () => {
    const real = await recorded("errors/bad_model/GenSync.yaml");
    const res = await post(createEmulator(), "/v1/chat/completions", { ...CHAT, model: "bad model" });
    expect(res.status).toBe(403);
    expect(await res.text()).toBe(real.body);
  });

  it("accepts the legacy Api-Key scheme on inference too", async () => {
    const res = await post(createEmulator(), "/v1/chat/completions", CHAT, { authorization: "Api-Key emulator-key" });
    expect(res.status).toBe(200);
  });

  it.each([
    ["malformed JSON", "{not json", "not valid JSON"],
    ["a JSON array", "[]", "JSON object"],
    ["no model", { messages: CHAT.messages }, "model"],
    ["no messages", { model: CHAT.model }, "messages"],
    ["n other than 1", { ...CHAT, n: 2 }, "n must be 1"],
    ["a zero max_tokens", { ...CHAT, max_tokens: 0 }, "max_tokens"],
    ["an unknown response_format", { ...CHAT, response_format: { type: "xml" } }, "response_format"],
    ["a bad tool_choice", { ...CHAT, tool_choice: 5 }, "tool_choice"],
    [
      "tool_result parts nested 20,000 deep",
      `{"model":"${CHAT.model}","messages":[{"role":"user","content":${nestedToolResults(20_000)}}]}`,
      "content nests tool_result blocks more than 32 deep",
    ],
    ["a temperature over 4", { ...CHAT, temperature: 5 }, "temperature"],
    ["a top_p of 0", { ...CHAT, top_p: 0 }, "top_p"],
    ["max_tokens over 262144", { ...CHAT, max_tokens: 300_000 }, "max_tokens"],
    ["an empty stop string", { ...CHAT, stop: "" }, "stop"],
    ["33 stop strings", { ...CHAT, stop: Array.from({ length: 33 }, (_, i) => `s${i}`) }, "stop"],
    ["best_of 2", { ...CHAT, best_of: 2 }, "best_of"],
  ])("answers %s with a 400 error body saying what is wrong", async (_, body, message) => {
    const res = await post(createEmulator(), "/v1/chat/completions", body);
    expect(res.status).toBe(400);
    const answer = (await res.json()) as { error: unknown };
    // Before a model is known, Baseten's own `{"error": "..."}`; after, the model server's shape (recorded).
    if (typeof answer.error === "string") expect(answer.error).toContain(message);
    else {
      expect(answer.error).toEqual({ code: 400, message: expect.stringContaining(message), type: "Bad Request" });
      expect(res.headers.get("x-baseten-request-id")).toMatch(/^[0-9a-f]{37}$/);
    }
  });

  it.each([
    "Scoreboard/openai/gpt-oss-120b_thinking/GenSync-JSONSchema.yaml",
    "Scoreboard/openai/gpt-oss-120b_thinking/GenStream-JSONSchema.yaml",
    "Scoreboard/deepseek-ai/DeepSeek-V4-Pro_thinking/GenSync-JSONSchema.yaml",
    "Scoreboard/openai/gpt-oss-120b_thinking/GenSyncMultiModal-Image-jpg-URL.yaml",
    "Scoreboard/openai/gpt-oss-120b_thinking/GenStreamMultiModal-Image-jpg-Inline.yaml",
    "Scoreboard/deepseek-ai/DeepSeek-V4-Pro_thinking/GenSyncMultiModal-Image-jpg-URL.yaml",
  ])("refuses the recorded request of %s with Baseten's recorded 400, byte for byte", async (path) => {
    const cassette = parseCassette(await readFile(`${FIXTURES}${path}`, "utf8"), path);
    const exchange = cassette.interactions[0]!;
    const res = await post(createEmulator(), "/v1/chat/completions", exchange.request.body);
    expect(exchange.response.code).toBe(400);
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(await res.text()).toBe(exchange.response.body);
    expect(res.headers.get("x-baseten-model-id")).toMatch(/^\w{8}$/);
  });

  it("answers an unknown route with 404 and a wrong method with 405", async () => {
    const emulator = createEmulator();
    expect((await get(emulator, "/v1/nothing")).status).toBe(404);
    const wrong = await get(emulator, "/v1/chat/completions");
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get("allow")).toBe("POST");
  });
});
