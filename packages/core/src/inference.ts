// The inference client: OpenAI-compatible chat completions (typed from openapi/baseten/inference.json).
import createClient, { type Client } from "openapi-fetch";
import { InvalidArgumentError } from "./errors.ts";
import { type ClientOptions, resolveOptions } from "./options.ts";
import { ChatCompletionStream } from "./stream.ts";
import type { ChatCompletion, ChatCompletionRequest, InferenceModel, InferencePaths } from "./types.ts";
import { unwrap } from "./unwrap.ts";

export interface RequestOptions {
  signal?: AbortSignal;
}

export interface InferenceClient {
  chat: {
    completions: {
      /** Streams: resolves once the headers arrive, with an async iterable of chunks. */
      create(body: ChatCompletionRequest & { stream: true }, options?: RequestOptions): Promise<ChatCompletionStream>;
      /** Resolves with the whole completion. */
      create(body: ChatCompletionRequest & { stream?: false }, options?: RequestOptions): Promise<ChatCompletion>;
      create(body: ChatCompletionRequest, options?: RequestOptions): Promise<ChatCompletion | ChatCompletionStream>;
    };
  };
  models: {
    /** The models this key can call, with per-token prices and features (`GET /v1/models`). */
    list(options?: RequestOptions): Promise<InferenceModel[]>;
  };
  /** The typed openapi-fetch client over the inference paths. */
  raw: Client<InferencePaths>;
}

/**
 * Creates a client for Baseten's inference API (OpenAI-compatible).
 * `baseUrl` may be given with or without the trailing `/v1`, as the OpenAI SDK takes it.
 *
 * @example
 * ```ts
 * import { createInferenceClient } from "@baseten-edge/core";
 *
 * const inference = createInferenceClient({ apiKey: "YOUR_API_KEY" });
 * const stream = await inference.chat.completions.create({
 *   model: "openai/gpt-oss-120b",
 *   messages: [{ role: "user", content: "Say hello." }],
 *   stream: true,
 * });
 * for await (const chunk of stream) {
 *   console.log(chunk.choices[0]?.delta.content ?? "");
 * }
 * ```
 */
export function createInferenceClient(options: ClientOptions): InferenceClient {
  const resolved = resolveOptions(options, "https://inference.baseten.co/v1");
  // The spec's paths start with /v1, so the client's root is the URL without it.
  const baseUrl = resolved.baseUrl.replace(/\/v1$/, "");
  const raw = createClient<InferencePaths>({ ...resolved, baseUrl });

  async function create(body: ChatCompletionRequest, call: RequestOptions = {}) {
    if (typeof body?.model !== "string" || !Array.isArray(body.messages)) {
      throw new InvalidArgumentError("The body needs `model` (a string) and `messages` (an array).");
    }
    if (body.stream === true) {
      const streamed = await raw.POST("/v1/chat/completions", { body, parseAs: "stream", signal: call.signal ?? null });
      unwrap(streamed);
      // Both signals that can abort the call: an abort mid-stream then rejects with its reason.
      return new ChatCompletionStream(streamed.response, call.signal, options.signal);
    }
    // Typed as ChatCompletion, not as the spec says: see types.ts.
    return unwrap<ChatCompletion>(
      await raw.POST("/v1/chat/completions", { body, parseAs: "text", signal: call.signal ?? null }),
    );
  }

  async function list(options: RequestOptions = {}): Promise<InferenceModel[]> {
    const answer = await raw.GET("/v1/models", { parseAs: "text", signal: options.signal ?? null });
    return unwrap<{ data: InferenceModel[] }>(answer, (body) => Array.isArray(body.data)).data;
  }

  return {
    chat: { completions: { create: create as InferenceClient["chat"]["completions"]["create"] } },
    models: { list },
    raw,
  };
}
