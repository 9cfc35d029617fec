// Lazily produced response bodies: SSE events pulled one at a time, and reshaped bodies for slow and cut-off faults.
import { abortableSleep as sleep } from "@baseten-edge/core/internal";
import { EmulatedNetworkError } from "./network-error.ts";

export interface EventStreamOptions {
  /** Delay before every event but the first. */
  delayMs: number;
  /** Error the stream (no more events, no [DONE]) after this many events. */
  cutAfter: number | undefined;
  /** The request's signal: an abort ends the stream and counts as a cancellation. */
  signal: AbortSignal | undefined;
  onCancel(): void;
  /** The last event was sent and the stream closed cleanly. */
  onEnd(): void;
  /** The stream was cut by `cutAfter`: it errors instead of ending. */
  onCut(): void;
}

const encoder = new TextEncoder();

/**
 * Pulls events from `events` only when the consumer reads, so a 100 MB stream never sits in memory.
 * @example
 * ```ts
 * import { eventStream } from "./body.ts"; // internal: not exported by the package
 * const events = ["data: 1\n\n", "data: [DONE]\n\n"].values();
 * const hooks = { onCancel() {}, onEnd() {}, onCut() {} };
 * new Response(eventStream(events, { delayMs: 0, cutAfter: undefined, signal: undefined, ...hooks }));
 * ```
 */
export function eventStream(events: Iterator<string>, options: EventStreamOptions): ReadableStream<Uint8Array> {
  const { signal } = options;
  let sent = 0;
  let finished = false;
  let onAbort: (() => void) | undefined;
  const finish = (): void => {
    finished = true;
    if (onAbort) signal?.removeEventListener("abort", onAbort);
  };
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        if (!signal) return;
        onAbort = () => {
          if (finished) return;
          finish();
          options.onCancel();
          controller.error(signal.reason);
        };
        if (signal.aborted) onAbort();
        else signal.addEventListener("abort", onAbort, { once: true });
      },
      async pull(controller) {
        if (finished) return;
        if (options.cutAfter !== undefined && sent >= options.cutAfter) {
          finish();
          options.onCut();
          controller.error(new EmulatedNetworkError("cut"));
          return;
        }
        if (sent > 0 && options.delayMs > 0) {
          try {
            await sleep(options.delayMs, signal);
          } catch {
            return; // aborted: onAbort already errored the stream
          }
        }
        const next = events.next();
        if (next.done) {
          finish();
          options.onEnd();
          controller.close();
          return;
        }
        controller.enqueue(encoder.encode(next.value));
        sent++;
      },
      cancel() {
        if (finished) return;
        finish();
        options.onCancel();
      },
    },
    { highWaterMark: 0 },
  );
}

export interface ReshapeOptions {
  /** Largest slice passed on at once. */
  sliceBytes: number;
  /** Delay before every slice but the first. */
  delayMs: number;
  /** Error the body after this many bytes. */
  cutAfterBytes: number | undefined;
  signal: AbortSignal | undefined;
  /** The last byte was passed on and the body closed cleanly. */
  onEnd(): void;
  /** The body was cut by `cutAfterBytes`: it errors instead of ending. */
  onCut(): void;
  /** The consumer cancelled the body, or the signal aborted it, before it ended. */
  onCancel(): void;
}

/** Re-slices a body for the slow-body and cut-off faults, still pulling the source lazily. */
export function reshapeBody(source: ReadableStream<Uint8Array>, options: ReshapeOptions): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  let pending: Uint8Array = new Uint8Array(0);
  let passed = 0;
  let slices = 0;
  let settled = false;
  // Exactly one of onEnd, onCut and onCancel is told, once.
  const settle = (hook: () => void): void => {
    if (settled) return;
    settled = true;
    hook();
  };
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        while (pending.byteLength === 0) {
          const { done, value } = await reader.read();
          if (done) {
            settle(options.onEnd);
            return controller.close();
          }
          pending = value;
        }
        if (options.cutAfterBytes !== undefined && passed >= options.cutAfterBytes) {
          settle(options.onCut);
          await reader.cancel();
          return controller.error(new EmulatedNetworkError("cut"));
        }
        if (slices > 0 && options.delayMs > 0) await pause(options, () => settle(options.onCancel));
        const room = options.cutAfterBytes === undefined ? Infinity : options.cutAfterBytes - passed;
        const size = Math.min(options.sliceBytes, pending.byteLength, room);
        controller.enqueue(pending.subarray(0, size));
        pending = pending.subarray(size);
        passed += size;
        slices++;
      },
      cancel(reason) {
        settle(options.onCancel);
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}

// The slow-body delay; an abort meanwhile is a cancellation, and errors the body.
async function pause(options: ReshapeOptions, cancelled: () => void): Promise<void> {
  try {
    await sleep(options.delayMs, options.signal);
  } catch (error) {
    cancelled();
    throw error;
  }
}
