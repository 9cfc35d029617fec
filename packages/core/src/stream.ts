// A streamed chat completion: the raw SSE Response, read as parsed chunks up to `[DONE]`.
import { BasetenError, ConnectionError } from "./errors.ts";
import { type ServerSentEvent, SseParserStream } from "./sse.ts";
import type { ChatCompletionChunk } from "./types.ts";

/** An error event inside an otherwise successful stream. */
export class StreamError extends BasetenError {
  override name = "StreamError";
  /** The event's parsed data. */
  readonly body: unknown;
  readonly requestId: string | null;
  constructor(message: string, body: unknown, requestId: string | null) {
    super(message);
    this.body = body;
    this.requestId = requestId;
  }
}

/**
 * Iterate it for parsed chunks, or hand `response` on untouched to pass the bytes through.
 * Iteration ends at `data: [DONE]`; a stream that stops before it throws a `ConnectionError`,
 * so an incomplete answer is never mistaken for a complete one — unless the caller aborted: then it
 * rejects with the signal's reason, as `fetch` does before the headers. Breaking out of the loop
 * cancels the upstream request.
 */
export class ChatCompletionStream implements AsyncIterable<ChatCompletionChunk> {
  /** The upstream's Response, body unread until iteration starts. */
  readonly response: Response;
  #used = false;
  readonly #signals: (AbortSignal | undefined)[];

  /** `signals`: those that abort the call (the call's and the client's), whose reason an abort rethrows. */
  constructor(response: Response, ...signals: (AbortSignal | undefined)[]) {
    this.response = response;
    this.#signals = signals;
  }

  /** `X-Baseten-Request-Id` of this completion. */
  get requestId(): string | null {
    return this.response.headers.get("x-baseten-request-id");
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<ChatCompletionChunk> {
    if (this.#used) throw new BasetenError("A stream can be read once.");
    this.#used = true;
    // `create` refused an answer without a body (unwrap): there is one.
    const reader = (this.response.body as ReadableStream)
      .pipeThrough(new TextDecoderStream())
      .pipeThrough(new SseParserStream())
      .getReader();
    try {
      for (;;) {
        let next: ReadableStreamReadResult<ServerSentEvent>;
        try {
          next = await reader.read();
        } catch (error) {
          // An aborted signal's reason is never undefined.
          throw (
            this.#signals.find((signal) => signal?.aborted)?.reason ??
            new ConnectionError("The stream ended before [DONE].", { cause: error })
          );
        }
        if (next.done) throw new ConnectionError("The stream ended before [DONE].");
        const { data, event } = next.value;
        if (data === "[DONE]") return;
        const parsed = parseEvent(data);
        if (event === "error" || isErrorEvent(parsed)) {
          const message = (parsed as { error?: { message?: unknown } | string }).error;
          const text = typeof message === "string" ? message : String(message?.message ?? data);
          throw new StreamError(`The stream reported an error: ${text}`, parsed, this.requestId);
        }
        yield parsed as ChatCompletionChunk;
      }
    } finally {
      // Also runs when the caller breaks early: stop the upstream instead of draining it.
      await reader.cancel().catch(() => {});
    }
  }
}

function parseEvent(data: string): unknown {
  try {
    return JSON.parse(data);
  } catch {
    throw new StreamError(`The stream sent an event that is not JSON: ${data.slice(0, 200)}`, data, null);
  }
}

function isErrorEvent(value: unknown): boolean {
  return value instanceof Object && "error" in value && !("choices" in value);
}
