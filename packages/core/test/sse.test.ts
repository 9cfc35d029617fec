import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type ServerSentEvent, SseParserStream } from "../src/sse.ts";

async function parse(pieces: string[]): Promise<ServerSentEvent[]> {
  const events: ServerSentEvent[] = [];
  const source = new ReadableStream<string>({
    start(controller) {
      for (const piece of pieces) controller.enqueue(piece);
      controller.close();
    },
  });
  const reader = source.pipeThrough(new SseParserStream()).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return events;
    events.push(value);
  }
}

describe("SseParserStream", () => {
  it("reads data events as Baseten frames them", async () => {
    expect(await parse(['data: {"a":1}\n\ndata: [DONE]\n\n'])).toEqual([
      { event: "message", data: '{"a":1}' },
      { event: "message", data: "[DONE]" },
    ]);
  });

  it("reads named events as the Anthropic Messages stream frames them", async () => {
    expect(await parse(["event: message_start\ndata: {}\n\nevent: ping\ndata: {}\n\n"])).toEqual([
      { event: "message_start", data: "{}" },
      { event: "ping", data: "{}" },
    ]);
  });

  it("joins multi-line data, ignores comments and unknown fields, strips one leading space", async () => {
    expect(await parse([": keep-alive\nid: 7\nretry: 10\ndata:  two spaces\ndata:x\nbogus\n\n"])).toEqual([
      { event: "message", data: " two spaces\nx" },
    ]);
  });

  it("accepts CRLF and CR line ends and drops an unterminated last event", async () => {
    expect(await parse(["data: a\r\n\r\ndata: b\r\rdata: cut"])).toEqual([
      { event: "message", data: "a" },
      { event: "message", data: "b" },
    ]);
  });

  it("dispatches an event whose blank line ends in a final CR", async () => {
    expect(await parse(["data: a\r", "\r"])).toEqual([{ event: "message", data: "a" }]);
  });

  it("gives the same events however the text is split", async () => {
    const text = 'data: {"x":"é"}\r\n\r\nevent: e\ndata: 1\ndata: 2\n\n: c\n\rdata: last\r\r';
    const expected = await parse([text]);
    expect(expected).toHaveLength(3);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: text.length }), { maxLength: 12 }), async (cuts) => {
        const points = [0, ...[...cuts].sort((a, b) => a - b), text.length];
        const pieces = points.slice(1).map((end, i) => text.slice(points[i], end));
        expect(await parse(pieces)).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });
});
