// The relay's default upstream fetch hands the global fetch each attempt's signal in `init`. In Node a
// Request's own signal stops following its parent once the Request is collected, so a fetch given
// only the Request could not be stopped by the first-byte timeout or the client's abort.
import { afterEach, describe, expect, it, vi } from "vitest";
import { createGateway } from "../src/index.ts";

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("the relay's default fetch", () => {
  it("passes the attempt's signal to the global fetch, and the first-byte timeout aborts through it", async () => {
    const signals: (AbortSignal | undefined)[] = [];
    vi.stubGlobal("fetch", (_input: Request, init?: RequestInit) => {
      signals.push(init?.signal ?? undefined);
      // The models list and the chat completion both hang until their signal aborts.
      return new Promise((_, reject) => init?.signal?.addEventListener("abort", () => reject(init.signal?.reason)));
    });
    const gateway = createGateway({
      auth: { mode: "pass-through" },
      cacheSalt: "a salt of sixteen characters or more",
      inferenceUrl: "http://upstream.test",
      managementUrl: "http://upstream.test",
      firstByteTimeoutSeconds: 0.1,
    });
    const response = await gateway.fetch(
      new Request("http://gateway.test/v1/chat/completions", {
        method: "POST",
        headers: { authorization: "Bearer sk-test", "content-type": "application/json" },
        body: JSON.stringify({ model: "openai/gpt-oss-120b", messages: [{ role: "user", content: "hi" }] }),
      }),
    );
    expect(response.status).toBe(504);
    const chat = signals.at(-1);
    expect(chat).toBeInstanceOf(AbortSignal);
    expect(chat?.aborted).toBe(true);
  });
});
