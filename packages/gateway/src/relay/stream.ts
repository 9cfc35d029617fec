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
  const { protocol, idleMs, abort, clientGone, onEnd } = options;
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
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
  const finish = (outcome: StreamSummary["outcome"]) => {
    if (ended) return;
    ended = true;
    const usage = usageEvents.reduce<TokenCounts | null>(
      (seen, [event, data]) => protocol.streamUsage(event, data, seen),
      null,
    );
    onEnd({ outcome, usage });
  };
  const fail = (
    controller: ReadableStreamDefaultController<Uint8Array>,
    outcome: StreamSummary["outcome"],
    message: string,
  ) => {
    controller.enqueue(encoder.encode(protocol.errorEvent(message)));
    controller.close();
    abort();
    finish(outcome);
  };

  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const idle = new Promise<"idle">((resolve) => {
        timer = setTimeout(() => resolve("idle"), idleMs);
      });
      let next: ReadableStreamReadResult<Uint8Array> | "idle";
      try {
        next = await Promise.race([reader.read(), idle]);
      } catch (error) {
        if (clientGone()) {
          // Nobody is reading any more: end quietly, as a cancellation.
          controller.error(error);
          return finish("cancelled");
        }
        return fail(controller, "broken", "The upstream stream broke off before the answer was complete.");
      } finally {
        clearTimeout(timer);
      }
      if (next === "idle") {
        reader.cancel().catch(() => {});
        if (terminated) {
          // The last event came and the upstream merely kept the connection open: complete.
          controller.close();
          abort();
          return finish("complete");
        }
        return fail(controller, "idle", `The upstream sent nothing for ${idleMs} ms; the answer is incomplete.`);
      }
      if (next.done) {
        parser.feed(decoder.decode());
        parser.end();
        if (terminated) {
          controller.close();
          finish("complete");
        } else fail(controller, "truncated", "The upstream stream ended before the answer was complete.");
        return;
      }
      controller.enqueue(next.value);
      parser.feed(decoder.decode(next.value, { stream: true }));
    },
    cancel(reason) {
      // The client went away: stop the upstream request too.
      reader.cancel(reason).catch(() => {});
      abort();
      finish("cancelled");
    },
  });
}
