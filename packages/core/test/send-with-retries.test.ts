import { afterEach, describe, expect, it, vi } from "vitest";
import { sendWithRetries } from "../src/fetch.ts";

afterEach(() => {
  vi.useRealTimers();
});

describe("sendWithRetries without a per-attempt timeout", () => {
  it("arms no timer when timeoutMs is Infinity, and waits for the answer however long it takes", async () => {
    vi.useFakeTimers();
    let answer: (response: Response) => void = () => {};
    const fetch = vi.fn(() => new Promise<Response>((resolve) => (answer = resolve)));
    const policy = { fetch, maxRetries: 1, timeoutMs: Number.POSITIVE_INFINITY };
    const sent = sendWithRetries(policy, false, new AbortController().signal, (signal) => {
      return new Request("http://upstream/v1/chat/completions", { method: "POST", body: "{}", signal });
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(3_600_000);
    answer(new Response("ok"));
    expect(await (await sent).text()).toBe("ok");
  });

  it("still stops an attempt when the caller's signal aborts", async () => {
    const caller = new AbortController();
    const fetch = (request: Request) =>
      new Promise<Response>((_resolve, reject) =>
        request.signal.addEventListener("abort", () => reject(request.signal.reason)),
      );
    const policy = { fetch, maxRetries: 0, timeoutMs: Number.POSITIVE_INFINITY };
    const sent = sendWithRetries(policy, false, caller.signal, (signal) => new Request("http://upstream/", { signal }));
    caller.abort(new Error("client gone"));
    await expect(sent).rejects.toThrow("client gone");
  });
});
