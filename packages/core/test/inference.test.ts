import { describe, expect, it, vi } from "vitest";
import {
  type ChatCompletionChunk,
  ChatCompletionStream,
  ConnectionError,
  createInferenceClient,
  PermissionDeniedError,
  StreamError,
} from "../src/index.ts";
import { json, recordingFetch, sse } from "./helpers.ts";

const chat = { model: "openai/gpt-oss-120b", messages: [{ role: "user" as const, content: "Say hello." }] };

function chunk(content: string, extra: Record<string, unknown> = {}): string {
  const body = {
    id: "c1",
    object: "chat.completion.chunk",
    created: 1,
    model: chat.model,
    choices: [{ index: 0, delta: { content } }],
    ...extra,
  };
  return `data: ${JSON.stringify(body)}\n\n`;
}

async function collect(stream: ChatCompletionStream): Promise<ChatCompletionChunk[]> {
  const chunks: ChatCompletionChunk[] = [];
  for await (const c of stream) chunks.push(c);
  return chunks;
}

describe("chat.completions.create", () => {
  it("posts the body as JSON to /v1/chat/completions and returns the completion", async () => {
    const server = recordingFetch(() =>
      json({ id: "c1", object: "chat.completion", created: 1, model: chat.model, choices: [] }),
    );
    const client = createInferenceClient({ apiKey: "k", fetch: server.fetch });
    const completion = await client.chat.completions.create({
      ...chat,
      top_k: 20,
      chat_template_args: { enable_thinking: true },
    });
    expect(completion.id).toBe("c1");
    const request = server.requests[0]!;
    expect(request.method).toBe("POST");
    expect(request.url).toBe("https://inference.baseten.co/v1/chat/completions");
    expect(request.headers.get("content-type")).toBe("application/json");
    expect(JSON.parse(server.bodies[0]!)).toEqual({
      ...chat,
      top_k: 20,
      chat_template_args: { enable_thinking: true },
    });
  });

  it.each(["http://127.0.0.1:8790", "http://127.0.0.1:8790/v1", "http://127.0.0.1:8790/v1/"])(
    "accepts the base URL %s with or without /v1",
    async (baseUrl) => {
      const server = recordingFetch(() => json({ id: "c1", choices: [] }));
      await createInferenceClient({ apiKey: "k", fetch: server.fetch, baseUrl }).chat.completions.create(chat);
      expect(server.requests[0]!.url).toBe("http://127.0.0.1:8790/v1/chat/completions");
    },
  );

  it("refuses a body without model or messages before any request", async () => {
    const server = recordingFetch(() => json({}));
    const client = createInferenceClient({ apiKey: "k", fetch: server.fetch });
    await expect(client.chat.completions.create({ model: "m" } as never)).rejects.toThrow(/messages/);
    await expect(client.chat.completions.create(null as never)).rejects.toThrow(/messages/);
    expect(server.requests).toHaveLength(0);
  });

  it("throws the typed error Baseten answers a bad key with", async () => {
    const server = recordingFetch(() => json({ error: "please check the api-key you provided" }, 403));
    const error = await createInferenceClient({ apiKey: "bad", fetch: server.fetch })
      .chat.completions.create({ ...chat, stream: true })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermissionDeniedError);
  });
});

describe("streaming", () => {
  it("yields parsed chunks up to [DONE], across events split at any byte", async () => {
    const text =
      chunk("Hel") +
      chunk("lo") +
      chunk("", { choices: [], usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } }) +
      "data: [DONE]\n\n";
    const pieces = text.match(/[\s\S]{1,7}/g)!;
    const server = recordingFetch(() => sse(pieces, { "x-baseten-request-id": "r1" }));
    const stream = await createInferenceClient({ apiKey: "k", fetch: server.fetch }).chat.completions.create({
      ...chat,
      stream: true,
    });
    expect(stream).toBeInstanceOf(ChatCompletionStream);
    expect(stream.requestId).toBe("r1");
    const chunks = await collect(stream);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe("Hello");
    expect(chunks.at(-1)?.usage?.total_tokens).toBe(5);
  });

  it("exposes the raw Response so callers can pass the bytes through", async () => {
    const body = `${chunk("x")}data: [DONE]\n\n`;
    const server = recordingFetch(() => sse([body]));
    const stream = await createInferenceClient({ apiKey: "k", fetch: server.fetch }).chat.completions.create({
      ...chat,
      stream: true,
    });
    expect(stream.response.headers.get("content-type")).toBe("text/event-stream");
    expect(await stream.response.text()).toBe(body);
  });

  it("throws ConnectionError when the stream ends without [DONE]", async () => {
    const server = recordingFetch(() => sse([chunk("partial")]));
    const stream = await createInferenceClient({ apiKey: "k", fetch: server.fetch }).chat.completions.create({
      ...chat,
      stream: true,
    });
    const seen: string[] = [];
    const error = await (async () => {
      for await (const c of stream) seen.push(c.choices[0]?.delta.content ?? "");
    })().catch((e: unknown) => e);
    expect(seen).toEqual(["partial"]);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as Error).message).toMatch(/before \[DONE\]/);
  });

  it("throws ConnectionError when the body errors mid-stream", async () => {
    const encoder = new TextEncoder();
    let sent = false;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (!sent) {
          sent = true;
          controller.enqueue(encoder.encode(chunk("a")));
        } else controller.error(new TypeError("terminated"));
      },
    });
    const server = recordingFetch(() => new Response(body, { headers: { "content-type": "text/event-stream" } }));
    const stream = await createInferenceClient({ apiKey: "k", fetch: server.fetch }).chat.completions.create({
      ...chat,
      stream: true,
    });
    await expect(collect(stream)).rejects.toBeInstanceOf(ConnectionError);
  });

  /** A streamed answer that, as fetch does, errors its body with the signal's reason when the signal aborts. */
  function abortableStream() {
    return recordingFetch((request) => {
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(chunk("a")));
          request.signal.addEventListener("abort", () => controller.error(request.signal.reason));
        },
      });
      return new Response(body, { headers: { "content-type": "text/event-stream" } });
    });
  }

  it("rejects with the caller's reason when the call's signal aborts mid-stream, as before the headers", async () => {
    const controller = new AbortController();
    const client = createInferenceClient({ apiKey: "k", fetch: abortableStream().fetch });
    const stream = await client.chat.completions.create({ ...chat, stream: true }, { signal: controller.signal });
    const iterator = stream[Symbol.asyncIterator]();
    expect((await iterator.next()).value?.choices[0]?.delta.content).toBe("a");
    const reason = new Error("user left");
    controller.abort(reason);
    await expect(iterator.next()).rejects.toBe(reason);
  });

  it("rejects with the client-wide signal's reason when it aborts mid-stream", async () => {
    const controller = new AbortController();
    const client = createInferenceClient({ apiKey: "k", fetch: abortableStream().fetch, signal: controller.signal });
    const stream = await client.chat.completions.create({ ...chat, stream: true });
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    controller.abort();
    const error = await iterator.next().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DOMException);
    expect((error as DOMException).name).toBe("AbortError");
  });

  it("throws StreamError for an error event", async () => {
    const server = recordingFetch(() =>
      sse([chunk("a"), `data: ${JSON.stringify({ error: { message: "overloaded" } })}\n\n`]),
    );
    const stream = await createInferenceClient({ apiKey: "k", fetch: server.fetch }).chat.completions.create({
      ...chat,
      stream: true,
    });
    await expect(collect(stream)).rejects.toThrow(StreamError);
  });

  it("cancels the upstream body when the caller stops reading early", async () => {
    let cancelled = false;
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(encoder.encode(chunk("more")));
      },
      cancel() {
        cancelled = true;
      },
    });
    const server = recordingFetch(() => new Response(body, { headers: { "content-type": "text/event-stream" } }));
    const stream = await createInferenceClient({ apiKey: "k", fetch: server.fetch }).chat.completions.create({
      ...chat,
      stream: true,
    });
    let n = 0;
    for await (const _ of stream) if (++n === 3) break;
    // Cancellation travels back through the decoder and parser streams asynchronously.
    await vi.waitFor(() => expect(cancelled).toBe(true), { timeout: 1000 });
  });

  it("can be read only once", async () => {
    const server = recordingFetch(() => sse([chunk("a"), "data: [DONE]\n\n"]));
    const stream = await createInferenceClient({ apiKey: "k", fetch: server.fetch }).chat.completions.create({
      ...chat,
      stream: true,
    });
    await collect(stream);
    await expect(collect(stream)).rejects.toThrow(/read once/);
  });
});

describe("models.list", () => {
  it("returns the models of GET /v1/models", async () => {
    const model = {
      id: "openai/gpt-oss-120b",
      object: "model",
      created: 1,
      owned_by: "baseten",
      pricing: { prompt: "0.0000001", completion: "0.0000005" },
    };
    const server = recordingFetch(() => json({ data: [model] }));
    const models = await createInferenceClient({ apiKey: "k", fetch: server.fetch }).models.list();
    expect(models).toEqual([model]);
    expect(server.requests[0]!.url).toBe("https://inference.baseten.co/v1/models");
  });
});
