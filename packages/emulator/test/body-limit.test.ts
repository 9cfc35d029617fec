// The 100 MB request-body limit, in-process: 413 for a body declared or counted over it, read no further than needed.
import { describe, expect, it } from "vitest";
import { createEmulator } from "../src/index.ts";
import { bearer, CHAT, post } from "./helpers.ts";

const MB = 1024 * 1024;

/** A body of `count` 1 MB chunks of spaces that counts how many the reader pulled. */
function chunkedBody(count: number): { body: ReadableStream<Uint8Array>; pulled: () => number } {
  let pulled = 0;
  const chunk = new Uint8Array(MB).fill(0x20);
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulled === count) return controller.close();
      pulled++;
      controller.enqueue(chunk);
    },
  });
  return { body, pulled: () => pulled };
}

function postStream(
  body: ReadableStream<Uint8Array>,
  headers: Record<string, string> = {},
  emulator = createEmulator(),
): Promise<Response> {
  return emulator.fetch("http://emulator.test/v1/chat/completions", {
    method: "POST",
    headers: { ...bearer(), "content-type": "application/json", ...headers },
    body,
    duplex: "half",
  } as RequestInit);
}

describe("request body limit", () => {
  it("answers 413 to a declared Content-Length over 100 MB without reading the body", async () => {
    const { body, pulled } = chunkedBody(101);
    const res = await postStream(body, { "content-length": String(101 * MB) });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ error: "request body exceeds 100 MB" });
    expect(pulled()).toBeLessThanOrEqual(1);
  });

  it("answers 413 to a body without Content-Length as soon as it passes 100 MB, and reads no further", async () => {
    const { body, pulled } = chunkedBody(150);
    const emulator = createEmulator();
    const res = await postStream(body, {}, emulator);
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ error: "request body exceeds 100 MB" });
    expect(pulled()).toBeLessThanOrEqual(103);
    expect(emulator.requests.list()[0]?.bodyBytes).toBe(101 * MB);
  });

  it("decodes a streamed body whose characters are split across chunks", async () => {
    const text = JSON.stringify({ ...CHAT, messages: [{ role: "user", content: "Grüße, café — 你好" }] });
    const bytes = new TextEncoder().encode(text);
    const split = text.indexOf("ü") + 1; // inside the two bytes of "ü"
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.subarray(0, split));
        controller.enqueue(bytes.subarray(split));
        controller.close();
      },
    });
    const streamed = await (await postStream(body)).json();
    const whole = await (await post(createEmulator(), "/v1/chat/completions", text)).json();
    expect(streamed.choices).toEqual(whole.choices);
  });
});
