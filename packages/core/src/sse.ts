// Server-sent events parsing (the WHATWG event-stream format): an incremental parser, and a
// TransformStream of text → events built on it.
// Hand-written rather than eventsource-parser: that library alone is 1.7 kB min+gzip, over half of
// the core's size budget, and the clients need only `event` and `data` (no `id`/`retry` reconnects).

export interface ServerSentEvent {
  /** The `event:` field; "message" when the event named none. */
  event: string;
  /** The `data:` lines, joined with "\n". */
  data: string;
}

export interface SseParser {
  /** Feeds decoded text, split anywhere; complete events go to `onEvent` at once. */
  feed(text: string): void;
  /** Ends the input; an event not closed by a blank line is incomplete and, as the standard says, dropped. */
  end(): void;
}

/**
 * An incremental SSE parser; accepts LF, CRLF and CR line ends. Feed it text from a
 * `TextDecoder` (which drops any byte-order mark).
 *
 * @example
 * ```ts
 * import { createSseParser } from "@baseten-edge/core/internal";
 * const parser = createSseParser((event) => console.log(event.event, event.data));
 * parser.feed('data: {"a":1}\n\nda');
 * parser.feed("ta: [DONE]\n\n");
 * ```
 */
export function createSseParser(onEvent: (event: ServerSentEvent) => void): SseParser {
  let buffer = "";
  let event = "";
  let data: string[] = [];
  const line = (text: string) => {
    if (text === "") {
      if (data.length) onEvent({ event: event || "message", data: data.join("\n") });
      event = "";
      data = [];
      return;
    }
    const colon = text.indexOf(":");
    if (colon === 0) return; // a comment, e.g. a keep-alive
    const field = colon < 0 ? text : text.slice(0, colon);
    let value = colon < 0 ? "" : text.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") data.push(value);
    else if (field === "event") event = value;
  };
  return {
    feed(text) {
      buffer += text;
      // A CR at the very end may be the first half of a CRLF split across chunks: wait for more.
      const lines = buffer.split(/\r\n|\r(?!$)|\n/);
      buffer = lines.pop() ?? "";
      for (const text of lines) line(text);
    },
    end() {
      if (buffer.endsWith("\r")) line(buffer.slice(0, -1));
      buffer = "";
    },
  };
}

/** Parses text (from a TextDecoderStream) into events. */
export class SseParserStream extends TransformStream<string, ServerSentEvent> {
  constructor() {
    let parser: SseParser;
    super({
      start(controller) {
        parser = createSseParser((event) => controller.enqueue(event));
      },
      transform(chunk) {
        parser.feed(chunk);
      },
      flush() {
        parser.end();
      },
    });
  }
}
