// Server-sent events parsing (the WHATWG event-stream format), as a TransformStream of text → events.
// Hand-written rather than eventsource-parser: that library alone is 1.7 kB min+gzip, over half of
// the core's size budget, and the clients need only `event` and `data` (no `id`/`retry` reconnects).

export interface ServerSentEvent {
  /** The `event:` field; "message" when the event named none. */
  event: string;
  /** The `data:` lines, joined with "\n". */
  data: string;
}

/** Parses text (from a TextDecoderStream) into events; accepts LF, CRLF and CR line ends, split anywhere. */
export class SseParserStream extends TransformStream<string, ServerSentEvent> {
  constructor() {
    let buffer = "";
    let event = "";
    let data: string[] = [];
    const line = (text: string, controller: TransformStreamDefaultController<ServerSentEvent>) => {
      if (text === "") {
        if (data.length) controller.enqueue({ event: event || "message", data: data.join("\n") });
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
    super({
      transform(chunk, controller) {
        buffer += chunk; // TextDecoderStream has already dropped any byte-order mark
        // A CR at the very end may be the first half of a CRLF split across chunks: wait for more.
        const lines = buffer.split(/\r\n|\r(?!$)|\n/);
        buffer = lines.pop() ?? "";
        for (const text of lines) line(text, controller);
      },
      flush(controller) {
        // An event not closed by a blank line is incomplete and, as the standard says, dropped.
        if (buffer.endsWith("\r")) line(buffer.slice(0, -1), controller);
      },
    });
  }
}
