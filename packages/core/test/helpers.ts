// Test doubles: an injected fetch that records every request and answers from a handler.
import type { FetchLike } from "../src/index.ts";

export interface RecordingFetch {
  fetch: FetchLike;
  /** Every request received, in order (bodies already read into `bodies`). */
  requests: Request[];
  bodies: string[];
  /** The signal each request was sent with (`init.signal`: the attempt's timeout and the caller's abort). */
  signals: (AbortSignal | undefined)[];
}

/**
 * A fetch that records requests and answers with `handler` (which may throw to simulate a network
 * error). Like the global fetch, it applies `init.signal`: `handler` sees it as `request.signal`.
 */
export function recordingFetch(
  handler: (request: Request, index: number) => Response | Promise<Response>,
): RecordingFetch {
  const requests: Request[] = [];
  const bodies: string[] = [];
  const signals: (AbortSignal | undefined)[] = [];
  const following: Request[] = [];
  return {
    requests,
    bodies,
    signals,
    async fetch(request, init) {
      requests.push(request);
      signals.push(init?.signal);
      bodies.push(request.body ? await request.clone().text() : "");
      const handed = init?.signal ? new Request(request, { signal: init.signal }) : request;
      // Held here: Node's Request follows `init.signal` only through a weak reference while it lives, so
      // a derived Request nothing holds can be collected mid-call and never see the abort.
      following.push(handed);
      return handler(handed, requests.length - 1);
    },
  };
}

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
}

/** An SSE body delivered in the given byte-ish pieces, so parsers meet split events. */
export function sse(pieces: string[], headers: Record<string, string> = {}): Response {
  const encoder = new TextEncoder();
  let i = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const piece = pieces[i++];
      if (piece === undefined) controller.close();
      else controller.enqueue(encoder.encode(piece));
    },
  });
  return new Response(body, { headers: { "content-type": "text/event-stream", ...headers } });
}

/** A ModelAPIV1 row with sensible defaults. */
export function modelApi(name: string, overrides: Record<string, unknown> = {}) {
  return {
    name,
    display_name: name.toUpperCase(),
    description: `The ${name} model`,
    model_family: null,
    release_date: "2025-01-01",
    invoke_url: "https://inference.baseten.co",
    context_length: 8192,
    cost_per_million_input_tokens: "0.10",
    cost_per_million_output_tokens: "0.50",
    rate_limits: [],
    org_details: null,
    ...overrides,
  };
}

/** Reads `iterable` to the end, handing each item to `each`. */
export async function drain<T>(iterable: AsyncIterable<T>, each: (item: T) => void = () => {}): Promise<void> {
  for await (const item of iterable) each(item);
}
