// Passes an upstream SSE body through byte for byte, watching it on the side for usage and its end.
import type { TokenCounts } from "@baseten-edge/core";
import { createSseParser } from "@baseten-edge/core/internal";
import type { Protocol } from "./protocols.ts";

export interface StreamSummary {
  /** "complete": the protocol's last event arrived; otherwise why the stream ended early. */
  outcome: "complete" | "broken" | "truncated" | "idle" | "cancelled";
  usage: TokenCounts | null;
}

export interface RelayStreamOptions {
  protocol: Protocol;
  /** Longest wait for the next upstream chunk before the stream is ended with an error event. */
  idleMs: number;
  /** Stops the upstream request (the client went away, or the stream is being ended). */
  abort: () => void;
  /** True once the client has gone away (its request signal fired). */
  clientGone: () => boolean;
  onEnd: (summary: StreamSummary) => void;
}

/**
 * A stream that enqueues each upstream chunk as soon as it is read, unchanged. A stream that
 * breaks off, ends before its last event, or goes idle is closed with an error event in the
 * protocol's shape: the relay never fabricates `[DONE]` or `message_stop`.
 */
export function relayStream(body: ReadableStream<Uint8Array>, options: RelayStreamOptions): ReadableStream<Uint8Array> {
  const { protocol, idleMs, abort, clientGone } = options;
  const reader = body.getReader();
  const encoder = new TextEncoder();
  const watch = watchStream(protocol, options.onEnd);
  const fail = (
    controller: ReadableStreamDefaultController<Uint8Array>,
    outcome: StreamSummary["outcome"],
    message: string,
  ) => {
    controller.enqueue(encoder.encode(protocol.errorEvent(message)));
    controller.close();
    abort();
    watch.finish(outcome);
  };

  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let next: ReadableStreamReadResult<Uint8Array> | "idle";
      try {
        next = await readOrIdle(reader, idleMs);
      } catch (error) {
        if (clientGone()) {
          // Nobody is reading any more: end quietly, as a cancellation.
          controller.error(error);
          return watch.finish("cancelled");
        }
        return fail(controller, "broken", "The upstream stream broke off before the answer was complete.");
      }
      if (next === "idle") {
        reader.cancel().catch(() => {});
        if (watch.terminated()) {
          // The last event came and the upstream merely kept the connection open: complete.
          controller.close();
          abort();
          return watch.finish("complete");
        }
        return fail(controller, "idle", `The upstream sent nothing for ${idleMs} ms; the answer is incomplete.`);
      }
      if (next.done) {
        watch.end();
        if (watch.terminated()) {
          controller.close();
          watch.finish("complete");
        } else fail(controller, "truncated", "The upstream stream ended before the answer was complete.");
        return;
      }
      controller.enqueue(next.value);
      watch.feed(next.value);
    },
    cancel(reason) {
      // The client went away: stop the upstream request too.
      reader.cancel(reason).catch(() => {});
      abort();
      watch.finish("cancelled");
    },
  });
}

/** The next upstream chunk, or "idle" when none comes within `idleMs`. */
async function readOrIdle(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  idleMs: number,
): Promise<ReadableStreamReadResult<Uint8Array> | "idle"> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const idle = new Promise<"idle">((resolve) => {
    timer = setTimeout(() => resolve("idle"), idleMs);
  });
  try {
    return await Promise.race([reader.read(), idle]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Watches the relayed bytes on the side: whether the protocol's last event came, and the usage
 * events. `finish` reports once, whatever ends the stream.
 */
function watchStream(protocol: Protocol, onEnd: (summary: StreamSummary) => void) {
  const decoder = new TextDecoder();
  let terminated = false;
  let ended = false;
  // Usage events are kept as text and parsed once, when the stream ends: off the hot path.
  let usageEvents: [string, string][] = [];
  const parser = createSseParser(({ event, data }) => {
    if (protocol.isTerminal(event, data)) terminated = true;
    if (!protocol.usageEvent(event, data)) return;
    if (protocol.cumulativeUsage) usageEvents = [[event, data]];
    else usageEvents.push([event, data]);
  });
  return {
    feed: (chunk: Uint8Array) => parser.feed(decoder.decode(chunk, { stream: true })),
    end: () => {
      parser.feed(decoder.decode());
      parser.end();
    },
    terminated: () => terminated,
    finish: (outcome: StreamSummary["outcome"]) => {
      if (ended) return;
      ended = true;
      const usage = usageEvents.reduce<TokenCounts | null>(
        (seen, [event, data]) => protocol.streamUsage(event, data, seen),
        null,
      );
      onEnd({ outcome, usage });
    },
  };
}
