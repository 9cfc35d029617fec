// Passes an upstream SSE body to the client through a native pipe, watching a tee'd copy for usage and its end.
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
  /** Called once when the stream ends; the relay's accounting (its promise) runs from here. */
  onEnd: (summary: StreamSummary) => unknown;
  /**
   * Where a client's cancel is only seen later (Workers' native pipe), this gets, at once, a promise
   * settled when `onEnd` has run, for the runtime's `waitUntil`.
   */
  pending?: ((promise: Promise<unknown>) => void) | undefined;
}

/** Bytes of the stream's start and end the watcher keeps: usage and the last event live there. */
const HEAD_BYTES = 16_384;
const TAIL_BYTES = 65_536;

// Workers' IdentityTransformStream is a byte pipe that never enters the isolate; elsewhere a
// standard TransformStream without a transform is the same thing.
const Identity = (globalThis as { IdentityTransformStream?: new () => TransformStream<Uint8Array, Uint8Array> })
  .IdentityTransformStream;

/**
 * The client's stream. Upstream bytes reach it by `pipeTo`, unchanged and with no JavaScript per
 * chunk. A tee'd copy is read on the side in batches: one interval both checks for silence (the idle
 * timeout) and lets the watcher read what arrived since the last tick (a BYOB read takes it all at
 * once), so JavaScript runs per tick, not per chunk; only the start and the last 64 KB are kept, and
 * parsed once, when the stream ends. A stream that breaks off, ends before its last event, or goes
 * idle gets an error event in the protocol's shape before it closes; if it stopped in the middle of
 * an event, it is aborted instead (a transport error: no event can follow a half one). The relay
 * never fabricates `[DONE]` or `message_stop`.
 */
export function relayStream(body: ReadableStream<Uint8Array>, options: RelayStreamOptions): ReadableStream<Uint8Array> {
  const [toClient, toWatcher] = body.tee();
  const stop = new AbortController();
  const watcher = watch(toWatcher, options.idleMs, () => stop.abort(IDLE));
  let reported = false;
  let ended = () => {};
  if (Identity) options.pending?.(new Promise<void>((resolve) => (ended = resolve)));
  const onEnd = (summary: StreamSummary) => {
    if (reported) return;
    reported = true;
    void Promise.resolve(options.onEnd(summary)).finally(ended);
  };
  // Where the pipe is JavaScript anyway (no IdentityTransformStream: Node, Deno, Bun), its cancel
  // hook reports a client's cancel at once, with the usage seen so far. (It runs on the relay's own
  // abort of a stream cut mid-event too: `finish` reports that one.)
  // That pipe also sees the client's last bytes; a native one does not, and the watcher stands in.
  let aborting = false;
  const sent = Identity ? null : lastBytesSeen();
  const transformer = {
    transform: (chunk: Uint8Array, controller: TransformStreamDefaultController<Uint8Array>) => {
      sent?.add(chunk);
      controller.enqueue(chunk);
    },
    cancel: () => {
      if (aborting) return;
      options.abort();
      onEnd({ outcome: "cancelled", usage: watcher.summary(options.protocol).usage });
    },
  };
  // (`cancel` is in the Streams standard and Node, Deno and Bun; TypeScript's DOM types lag.)
  const { readable, writable } = Identity
    ? new Identity()
    : new TransformStream<Uint8Array, Uint8Array>(transformer as Transformer<Uint8Array, Uint8Array>);
  // preventCancel: a tee branch's cancel waits for the other branch, so `finish` cancels both itself.
  const piped = toClient
    .pipeTo(writable, { preventClose: true, preventAbort: true, preventCancel: true, signal: stop.signal })
    .then(
      () => "done" as const,
      () => (stop.signal.aborted ? ("idle" as const) : ("broken" as const)),
    );
  void finish(piped, writable, watcher, {
    ...options,
    onEnd,
    cancelPipe: () => void toClient.cancel().catch(() => {}),
    aborting: () => {
      aborting = true;
    },
    sentAtBoundary: () => (sent ? endsAnEvent(sent.end()) : watcher.atBoundary()),
  });
  return readable;
}

const IDLE = new Error("idle");

/** The side branch's reader: what it kept, and how its reading ends. */
interface Watcher {
  /** Reads what is left without waiting for ticks; settles when the side branch has ended. */
  drain(): Promise<void>;
  /** Stops the interval and the reading. */
  cancel(): void;
  /** Parses what was kept: whether the last event came, and the usage. */
  summary(protocol: Protocol): { terminated: boolean; usage: TokenCounts | null };
  /** True when the bytes so far end where an event ends (or there are none): nothing is half sent. */
  atBoundary(): boolean;
}

/**
 * Reads the side branch once per tick (continuously where BYOB reads are not available: there each
 * read is one chunk). A read that resolves proves the upstream spoke; a tick finding no read resolved
 * for `idleMs` calls `onIdle`. Reading at most a tick late, it may see silence late, never early.
 */
function watch(branch: ReadableStream<Uint8Array>, idleMs: number, onIdle: () => void): Watcher {
  const kept = keeper();
  let byob: ReadableStreamBYOBReader | undefined;
  try {
    byob = branch.getReader({ mode: "byob" });
  } catch {
    // not a byte stream (an in-process upstream): a default reader, read without pause
  }
  const reader = byob ?? branch.getReader();
  let buffer = new Uint8Array(BATCH_BYTES);
  let lastSeen = Date.now();
  let reading = false;
  let draining = byob === undefined;
  let settle = () => {};
  const ended = new Promise<void>((resolve) => {
    settle = resolve;
  });
  const done = () => {
    clearInterval(timer);
    settle();
  };
  const read = () => {
    reading = true;
    const next = byob ? byob.read(buffer) : (reader as ReadableStreamDefaultReader<Uint8Array>).read();
    next.then((result) => {
      reading = false;
      if (result.done || !result.value) return done();
      lastSeen = Date.now();
      if (byob) {
        kept.add(result.value.slice());
        buffer = new Uint8Array(result.value.buffer as ArrayBuffer);
      } else kept.add(result.value);
      if (draining) read();
    }, done);
  };
  const timer = setInterval(
    () => {
      if (Date.now() - lastSeen >= idleMs) onIdle();
      else if (!reading) read();
    },
    Math.min(idleMs / 4, TICK_MS),
  );
  read();
  return {
    drain: () => {
      draining = true;
      if (!reading) read();
      return ended;
    },
    cancel: () => {
      clearInterval(timer);
      reader.cancel().catch(() => {});
    },
    summary: (protocol) => kept.summary(protocol),
    atBoundary: () => kept.atBoundary(),
  };
}

/** The longest the watcher leaves the side branch unread; a tick also checks for silence. */
const TICK_MS = 1_000;
/** The BYOB buffer: what one side read can take. */
const BATCH_BYTES = 65_536;

/** Keeps the first HEAD_BYTES and (by whole chunks) the last TAIL_BYTES of the stream. */
function keeper() {
  const head: Uint8Array[] = [];
  const tail: Uint8Array[] = [];
  let headBytes = 0;
  let tailBytes = 0;
  let dropped = false;
  const last = lastBytesSeen();
  return {
    add(chunk: Uint8Array) {
      last.add(chunk);
      if (headBytes < HEAD_BYTES) {
        head.push(chunk);
        headBytes += chunk.byteLength;
        return;
      }
      tail.push(chunk);
      tailBytes += chunk.byteLength;
      while (tailBytes - (tail[0]?.byteLength ?? 0) >= TAIL_BYTES) {
        tailBytes -= tail.shift()?.byteLength ?? 0;
        dropped = true;
      }
    },
    summary: (protocol: Protocol) => parseKept(protocol, head, tail, dropped),
    atBoundary: () => endsAnEvent(last.end()),
  };
}

/** The last 4 bytes of a stream as Latin-1 text: enough to tell whether it ends between events. */
function lastBytesSeen() {
  let end = "";
  return {
    add(chunk: Uint8Array) {
      end = (end + String.fromCharCode(...chunk.subarray(-4))).slice(-4);
    },
    end: () => end,
  };
}

/** Waits for `promise`, or `ms` at most. */
function settledWithin(promise: Promise<unknown>, ms: number): Promise<unknown> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** The longest `finish` waits for the side branch's last bytes after stopping the upstream. */
const DRAIN_MS = 1_000;

/**
 * True when `end`, a stream's last bytes, closes an event: two line ends in a row (CRLF, LF or CR
 * each), or no bytes but line ends at all. Anything else leaves an event half sent, which no later
 * bytes can repair: an SSE client dispatches it, cut short, at the next blank line.
 */
export function endsAnEvent(end: string): boolean {
  const lineEnd = /(?:\r\n|\n|\r)$/.exec(end);
  if (!lineEnd) return end === "";
  const before = end.slice(0, lineEnd.index);
  return before === "" || /[\r\n]$/.test(before);
}

/**
 * Parses the kept bytes. When nothing was dropped they are the whole stream; otherwise the head's
 * complete events and the tail's events after its first boundary (the one before may be cut).
 */
function parseKept(protocol: Protocol, head: Uint8Array[], tail: Uint8Array[], dropped: boolean) {
  let terminated = false;
  // Usage events are kept as text and merged in order: for cumulative protocols only the last counts.
  const usageEvents: [string, string][] = [];
  const parser = () =>
    createSseParser(({ event, data }) => {
      if (protocol.isTerminal(event, data)) terminated = true;
      if (!protocol.usageEvent(event, data)) return;
      if (protocol.cumulativeUsage) usageEvents.length = 0;
      usageEvents.push([event, data]);
    });
  if (!dropped) {
    const whole = parser();
    whole.feed(decode([...head, ...tail]));
    whole.end();
  } else {
    parser().feed(decode(head));
    const text = decode(tail);
    const boundary = /\r?\n\r?\n|\r\r/.exec(text);
    const rest = parser();
    rest.feed(boundary ? text.slice(boundary.index + boundary[0].length) : "");
    rest.end();
  }
  const usage = usageEvents.reduce<TokenCounts | null>(
    (seen, [event, data]) => protocol.streamUsage(event, data, seen),
    null,
  );
  return { terminated, usage };
}

function decode(chunks: Uint8Array[]): string {
  const decoder = new TextDecoder();
  let text = "";
  for (const chunk of chunks) text += decoder.decode(chunk, { stream: true });
  return text + decoder.decode();
}

const MESSAGES: Record<"idle" | "broken" | "truncated", (idleMs: number) => string> = {
  idle: (idleMs) => `The upstream sent nothing for ${idleMs} ms; the answer is incomplete.`,
  broken: () => "The upstream stream broke off before the answer was complete.",
  truncated: () => "The upstream stream ended before the answer was complete.",
};

/**
 * Ends the client's stream once the pipe and the watcher are done: closed after a complete answer,
 * an error event first otherwise; aborted when the client itself went away. Anything but a clean
 * end stops the upstream request.
 */
async function finish(
  piped: Promise<"done" | "idle" | "broken">,
  writable: WritableStream<Uint8Array>,
  watcher: Watcher,
  options: RelayStreamOptions & { cancelPipe: () => void; aborting: () => void; sentAtBoundary: () => boolean },
) {
  const how = await piped;
  const writer = writable.getWriter();
  // An errored destination (desiredSize null) means the client cancelled its stream.
  const clientGone = writer.desiredSize === null || options.clientGone();
  if (how !== "done" || clientGone) {
    options.abort();
    options.cancelPipe();
    // What the side branch holds came before the end: read it (the upstream was just stopped, so this is
    // quick; bounded for a body that ignores the abort), then stop reading.
    await settledWithin(watcher.drain(), DRAIN_MS);
    watcher.cancel();
  }
  await watcher.drain();
  const { terminated, usage } = watcher.summary(options.protocol);
  let outcome: StreamSummary["outcome"] = "complete";
  if (clientGone) outcome = "cancelled";
  else if (!terminated) outcome = how === "done" ? "truncated" : how;
  try {
    // An event cut short cannot be followed by one the client would read: the next blank line would
    // dispatch the cut one, and anything before it would join it. So the stream ends as broken
    // transport instead, which SSE clients report as an error and which drops the half event.
    if (outcome === "cancelled" || (outcome !== "complete" && !options.sentAtBoundary())) {
      options.aborting();
      await writer.abort();
    } else {
      if (outcome !== "complete") {
        await writer.write(new TextEncoder().encode(options.protocol.errorEvent(MESSAGES[outcome](options.idleMs))));
      }
      await writer.close();
    }
  } catch {
    // The client left while the last bytes were written: nothing more to tell it.
  }
  options.onEnd({ outcome, usage });
}
