import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { backoffMs, sendWithRetries } from "../src/fetch.ts";
import {
  ConnectionError,
  createBasetenClient,
  createInferenceClient,
  InternalServerError,
  RateLimitError,
  TimeoutError,
} from "../src/index.ts";
import { json, modelApi, recordingFetch } from "./helpers.ts";

const chat = { model: "m", messages: [{ role: "user" as const, content: "hi" }] };

/** An error shaped like Node's fetch failure when nothing listens on the port. */
function refused(): TypeError {
  return new TypeError("fetch failed", {
    cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" }),
  });
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** Runs `promise` while advancing fake time; returns its outcome and the fake time it took. */
async function timed<T>(promise: Promise<T>): Promise<{ value?: T; error?: unknown; elapsed: number }> {
  const start = Date.now();
  const outcome = promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  await vi.runAllTimersAsync();
  const result = await outcome;
  return { ...result, elapsed: Date.now() - start };
}

describe("GET retries", () => {
  it("retries 5xx answers and returns the first success", async () => {
    const server = recordingFetch((_, i) => (i < 2 ? json({ error: "busy" }, 503) : json(modelApi("x"))));
    const client = createBasetenClient({ apiKey: "k", fetch: server.fetch });
    const { value } = await timed(client.modelApis.get("x"));
    expect(value?.name).toBe("x");
    expect(server.requests).toHaveLength(3);
  });

  it.each([408, 409, 429, 500, 502, 504])("retries status %i", async (status) => {
    const server = recordingFetch((_, i) => (i === 0 ? json({ error: "x" }, status) : json(modelApi("x"))));
    const { value } = await timed(createBasetenClient({ apiKey: "k", fetch: server.fetch }).modelApis.get("x"));
    expect(value?.name).toBe("x");
    expect(server.requests).toHaveLength(2);
  });

  it("does not retry a 4xx that will not change", async () => {
    const server = recordingFetch(() => json({ error: "no" }, 404));
    await timed(createBasetenClient({ apiKey: "k", fetch: server.fetch }).modelApis.get("x"));
    expect(server.requests).toHaveLength(1);
  });

  it("gives up after maxRetries and throws the last error", async () => {
    const server = recordingFetch(() => json({ error: "down" }, 500));
    const { error } = await timed(
      createBasetenClient({ apiKey: "k", fetch: server.fetch, maxRetries: 3 }).modelApis.get("x"),
    );
    expect(error).toBeInstanceOf(InternalServerError);
    expect(server.requests).toHaveLength(4);
  });

  it("waits as long as retry-after says", async () => {
    const server = recordingFetch((_, i) =>
      i === 0 ? json({ error: "slow" }, 429, { "retry-after": "7" }) : json(modelApi("x")),
    );
    const { elapsed } = await timed(createBasetenClient({ apiKey: "k", fetch: server.fetch }).modelApis.get("x"));
    expect(elapsed).toBe(7000);
  });

  it("waits as long as retry-after-ms says", async () => {
    const server = recordingFetch((_, i) =>
      i === 0 ? json({}, 503, { "retry-after-ms": "1234" }) : json(modelApi("x")),
    );
    const { elapsed } = await timed(createBasetenClient({ apiKey: "k", fetch: server.fetch }).modelApis.get("x"));
    expect(elapsed).toBe(1234);
  });

  it("falls back to backoff when retry-after is over 60 s", async () => {
    const server = recordingFetch((_, i) => (i === 0 ? json({}, 429, { "retry-after": "3600" }) : json(modelApi("x"))));
    const { elapsed } = await timed(createBasetenClient({ apiKey: "k", fetch: server.fetch }).modelApis.get("x"));
    expect(elapsed).toBeGreaterThanOrEqual(375);
    expect(elapsed).toBeLessThanOrEqual(500);
  });

  it("retries connection errors", async () => {
    const server = recordingFetch((_, i) => {
      if (i === 0) throw new TypeError("socket hang up");
      return json(modelApi("x"));
    });
    const { value } = await timed(createBasetenClient({ apiKey: "k", fetch: server.fetch }).modelApis.get("x"));
    expect(value?.name).toBe("x");
    expect(server.requests).toHaveLength(2);
  });

  it("sends the same headers on every attempt", async () => {
    const server = recordingFetch((_, i) => (i === 0 ? json({}, 500) : json(modelApi("x"))));
    await timed(createBasetenClient({ apiKey: "k", fetch: server.fetch }).modelApis.get("x"));
    expect(server.requests.map((r) => r.headers.get("authorization"))).toEqual(["Bearer k", "Bearer k"]);
  });
});

describe("backoff", () => {
  it("doubles from 0.5 s up to 8 s, with at most 25 % jitter taken off", () => {
    expect([0, 1, 2, 3, 4, 5, 9].map((n) => backoffMs(n, () => 0))).toEqual([500, 1000, 2000, 4000, 8000, 8000, 8000]);
    expect(backoffMs(0, () => 0.999)).toBeGreaterThan(375);
  });
});

describe("POST retries", () => {
  it("does not retry a 500, which the upstream may have started on", async () => {
    const server = recordingFetch(() => json({ error: "boom" }, 500));
    const { error } = await timed(
      createInferenceClient({ apiKey: "k", fetch: server.fetch }).chat.completions.create(chat),
    );
    expect(error).toBeInstanceOf(InternalServerError);
    expect(server.requests).toHaveLength(1);
  });

  it("does not retry a connection that broke without proof the request was unsent", async () => {
    const server = recordingFetch(() => {
      throw new TypeError("socket hang up");
    });
    const { error } = await timed(
      createInferenceClient({ apiKey: "k", fetch: server.fetch }).chat.completions.create(chat),
    );
    expect(error).toBeInstanceOf(ConnectionError);
    expect(server.requests).toHaveLength(1);
  });

  it("retries a refused connection and sends the same body again", async () => {
    const server = recordingFetch((_, i) => {
      if (i === 0) throw refused();
      return json({ id: "c", object: "chat.completion", created: 1, model: "m", choices: [] });
    });
    const { value } = await timed(
      createInferenceClient({ apiKey: "k", fetch: server.fetch }).chat.completions.create(chat),
    );
    expect(value).toMatchObject({ id: "c" });
    expect(server.bodies).toEqual([JSON.stringify(chat), JSON.stringify(chat)]);
  });

  it("retries a 429, which the rate limiter turned away unprocessed", async () => {
    const server = recordingFetch((_, i) =>
      i === 0 ? json({ error: "rate" }, 429, { "retry-after": "1" }) : json({ id: "c", choices: [] }),
    );
    const { value, elapsed } = await timed(
      createInferenceClient({ apiKey: "k", fetch: server.fetch }).chat.completions.create(chat),
    );
    expect(value).toMatchObject({ id: "c" });
    expect(elapsed).toBe(1000);
  });

  it("retries a 503 only when it says when to come back", async () => {
    const without = recordingFetch(() => json({}, 503));
    await timed(createInferenceClient({ apiKey: "k", fetch: without.fetch }).chat.completions.create(chat));
    expect(without.requests).toHaveLength(1);
    const withHeader = recordingFetch((_, i) => (i === 0 ? json({}, 503, { "retry-after": "2" }) : json({ id: "c" })));
    await timed(createInferenceClient({ apiKey: "k", fetch: withHeader.fetch }).chat.completions.create(chat));
    expect(withHeader.requests).toHaveLength(2);
  });

  it("passes the last 429 on with its retry-after when retries run out", async () => {
    const server = recordingFetch(() => json({ error: "rate" }, 429, { "retry-after": "2" }));
    const { error } = await timed(
      createInferenceClient({ apiKey: "k", fetch: server.fetch, maxRetries: 1 }).chat.completions.create(chat),
    );
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).retryAfterMs).toBe(2000);
    expect(server.requests).toHaveLength(2);
  });
});

/** A full garbage collection (vitest.config.mts runs the tests with --expose-gc). */
function collectGarbage(): void {
  const { gc } = globalThis as { gc?: () => void };
  if (!gc) throw new Error("run the tests with node --expose-gc");
  gc();
}

/** A fetch that never answers until its request is aborted. */
const hanging = () =>
  recordingFetch(
    (request) =>
      new Promise<Response>((_, reject) => {
        request.signal.addEventListener("abort", () => reject(request.signal.reason));
      }),
  );

describe("timeouts and cancellation", () => {
  it("throws TimeoutError when headers do not come within timeoutMs, after retrying a GET", async () => {
    const server = hanging();
    const client = createBasetenClient({ apiKey: "k", fetch: server.fetch, timeoutMs: 1000, maxRetries: 1 });
    const { error } = await timed(client.modelApis.get("x"));
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as Error).message).toBe("Request timed out after 1000 ms");
    expect(server.requests).toHaveLength(2);
  });

  it("does not retry a POST that timed out", async () => {
    const server = hanging();
    const client = createInferenceClient({ apiKey: "k", fetch: server.fetch, timeoutMs: 500 });
    const { error } = await timed(client.chat.completions.create(chat));
    expect(error).toBeInstanceOf(TimeoutError);
    expect(server.requests).toHaveLength(1);
  });

  it.each([2 ** 31, Number.MAX_SAFE_INTEGER, Number.POSITIVE_INFINITY])(
    "sets no per-attempt timer for timeoutMs %s, beyond what a timer holds (it would fire at once)",
    async (timeoutMs) => {
      // Real timers: Node's own setTimeout is what overflows to 1 ms.
      vi.useRealTimers();
      // Answers after 30 ms unless its signal aborts first, as fetch does.
      const server = recordingFetch(
        (request) =>
          new Promise<Response>((resolve, reject) => {
            const answer = setTimeout(() => resolve(json(modelApi("x"))), 30);
            request.signal.addEventListener("abort", () => {
              clearTimeout(answer);
              reject(request.signal.reason);
            });
          }),
      );
      const client = createBasetenClient({ apiKey: "k", fetch: server.fetch, timeoutMs, maxRetries: 0 });
      expect((await client.modelApis.get("x")).name).toBe("x");
    },
  );

  it("rejects with the caller's reason when the caller aborts, without retrying", async () => {
    const server = hanging();
    const controller = new AbortController();
    const client = createBasetenClient({ apiKey: "k", fetch: server.fetch });
    const pending = client.modelApis.get("x", { signal: controller.signal }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(10);
    // A collection before the abort, as a busy process has: whatever follows the signal must still be held.
    collectGarbage();
    controller.abort(new Error("user left"));
    expect(await pending).toEqual(new Error("user left"));
    expect(server.requests).toHaveLength(1);
  });

  it("aborts everything when the client-wide signal fires", async () => {
    const server = hanging();
    const controller = new AbortController();
    const client = createBasetenClient({ apiKey: "k", fetch: server.fetch, signal: controller.signal });
    const pending = client.modelApis.get("x").catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(10);
    controller.abort(new Error("shutdown"));
    expect(await pending).toEqual(new Error("shutdown"));
  });

  it("still reaches the request after its headers arrived, so a streaming body is cancelled", async () => {
    const server = recordingFetch(() => json(modelApi("x")));
    const controller = new AbortController();
    const client = createBasetenClient({ apiKey: "k", fetch: server.fetch });
    await client.modelApis.get("x", { signal: controller.signal });
    const sent = server.signals[0]!;
    expect(sent.aborted).toBe(false);
    controller.abort(new Error("user left mid-stream"));
    expect(sent.reason).toEqual(new Error("user left mid-stream"));
  });

  it("rejects at once, sending nothing, when the caller aborted before the call", async () => {
    const server = recordingFetch(() => json(modelApi("x")));
    const client = createBasetenClient({ apiKey: "k", fetch: server.fetch });
    const error = await client.modelApis.get("x", { signal: AbortSignal.abort(new Error("too late")) }).catch((e) => e);
    expect(error).toEqual(new Error("too late"));
    expect(server.requests).toHaveLength(0);
  });

  it("does not let a timed-out attempt's signal outlive its headers: a slow body is not cut by the timer", async () => {
    const server = recordingFetch(() => json(modelApi("x")));
    const client = createBasetenClient({ apiKey: "k", fetch: server.fetch, timeoutMs: 100 });
    await client.modelApis.get("x");
    await vi.advanceTimersByTimeAsync(1000);
    expect(server.signals[0]!.aborted).toBe(false);
  });

  it("stops waiting between retries when the caller aborts", async () => {
    const server = recordingFetch(() => json({}, 500));
    const controller = new AbortController();
    const client = createBasetenClient({ apiKey: "k", fetch: server.fetch });
    const pending = client.modelApis.get("x", { signal: controller.signal }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(10);
    controller.abort(new Error("enough"));
    expect(await pending).toEqual(new Error("enough"));
    expect(server.requests).toHaveLength(1);
  });
});

describe("what each attempt sends", () => {
  it("hands each attempt's signal to fetch in init, not on a rebuilt Request", async () => {
    const server = hanging();
    const client = createBasetenClient({ apiKey: "k", fetch: server.fetch, timeoutMs: 1000, maxRetries: 0 });
    const { error } = await timed(client.modelApis.get("x"));
    expect(error).toBeInstanceOf(TimeoutError);
    expect(server.signals[0]!.reason).toBe(error);
    expect(server.requests[0]!.signal.aborted).toBe(false);
  });

  it("sends a GET's Request as it was built on every attempt: there is no body to copy", async () => {
    const server = recordingFetch((_, i) => (i === 0 ? json({}, 500) : json(modelApi("x"))));
    await timed(createBasetenClient({ apiKey: "k", fetch: server.fetch }).modelApis.get("x"));
    const [first, second] = server.requests;
    expect(second).toBe(first);
    expect(server.signals[1]).not.toBe(server.signals[0]);
  });

  it("sends a POST body as it is when no retry may need it again", async () => {
    const server = recordingFetch(() => json({ id: "c", choices: [] }));
    const client = createInferenceClient({ apiKey: "k", fetch: server.fetch, maxRetries: 0 });
    await client.chat.completions.create(chat);
    expect(server.bodies).toEqual([JSON.stringify(chat)]);
  });

  it("adds no listener to the client-wide signal; each call's own keeps only its answer's", async () => {
    const server = recordingFetch((_, i) => (i === 0 ? json({}, 503) : json(modelApi("x"))));
    const clientWide = new AbortController().signal;
    // The call's own signal combines the Request's with the client's: `AbortSignal.any` makes it.
    const combine = vi.spyOn(AbortSignal, "any");
    const added = vi.spyOn(EventTarget.prototype, "addEventListener");
    const removed = vi.spyOn(EventTarget.prototype, "removeEventListener");
    try {
      const client = createBasetenClient({ apiKey: "k", fetch: server.fetch, signal: clientWide });
      for (let i = 0; i < 3; i++) await timed(client.modelApis.get("x"));
    } finally {
      vi.restoreAllMocks();
    }
    expect(server.requests).toHaveLength(4);
    /** Abort listeners added minus removed, per signal. */
    const left = new Map<unknown, number>();
    const tally = (spy: typeof added, step: number) =>
      spy.mock.calls.forEach(([type], i) => {
        const target = spy.mock.contexts[i];
        if (type === "abort") left.set(target, (left.get(target) ?? 0) + step);
      });
    tally(added, 1);
    tally(removed, -1);
    expect(left.has(clientWide)).toBe(false);
    const calls = combine.mock.results.map((result) => result.value as AbortSignal);
    expect(calls).toHaveLength(3);
    const addedToCalls = added.mock.contexts.filter((target) => calls.includes(target as AbortSignal));
    // The first call's retried attempt, its backoff, and each call's answer.
    expect(addedToCalls.length).toBeGreaterThanOrEqual(4);
    // What stays is each answer's listener (its body may still stream); the retried attempt's is gone.
    expect(calls.map((signal) => left.get(signal))).toEqual([1, 1, 1]);
  });

  it("removes the caller listener of every attempt that is not the answer", async () => {
    const server = recordingFetch((_, i) => (i < 2 ? json({}, 503) : json(modelApi("x"))));
    const caller = new AbortController().signal;
    const added = vi.spyOn(caller, "addEventListener");
    const removed = vi.spyOn(caller, "removeEventListener");
    const policy = { fetch: server.fetch, maxRetries: 2, timeoutMs: 1000 };
    await timed(sendWithRetries(policy, true, caller, () => new Request("http://upstream.test/")));
    expect(server.requests).toHaveLength(3);
    // The answer's listener stays: its body may still stream, and `caller` is the call's own.
    expect(added.mock.calls.length - removed.mock.calls.length).toBe(1);
  });

  it("still watches the Request's own signal for calls made through `raw`", async () => {
    const server = hanging();
    const controller = new AbortController();
    const client = createBasetenClient({ apiKey: "k", fetch: server.fetch });
    const pending = client.raw
      .GET("/v1/model_apis/{model_api_name}", { params: { path: { model_api_name: "x" } }, signal: controller.signal })
      .catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(10);
    // A collection before the abort, as a busy process has: whatever follows the signal must still be held.
    collectGarbage();
    controller.abort(new Error("user left"));
    expect(await pending).toEqual(new Error("user left"));
  });

  it("passes init on to the global fetch by default", async () => {
    const global = vi.fn((_request: Request, _init?: { signal?: AbortSignal }) => Promise.resolve(json(modelApi("x"))));
    vi.stubGlobal("fetch", global);
    try {
      await createBasetenClient({ apiKey: "k" }).modelApis.get("x");
    } finally {
      vi.unstubAllGlobals();
    }
    expect(global.mock.calls[0]![1]?.signal).toBeInstanceOf(AbortSignal);
  });
});
