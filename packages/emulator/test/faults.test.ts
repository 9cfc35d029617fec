// Faults on demand, in-process: latency, chunking, huge lazy streams, error statuses, resets, cut-offs, hangs, slow bodies, queues.
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { createEmulator, EmulatedNetworkError, parseFaults } from "../src/index.ts";
import { bearer, CHAT, get, post, sseData } from "./helpers.ts";

/** V8's full collection, callable from a test (exposed at run time, not by a flag on the command line). */
function collector(): () => void {
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}

function faulty(
  fault: string,
  body: unknown = { ...CHAT, stream: true },
  emulator = createEmulator(),
): Promise<Response> {
  return post(emulator, "/v1/chat/completions", body, { ...bearer(), "x-emulator-fault": fault });
}

describe("fault header", () => {
  it("parses names, values and flags separated by ; or ,", () => {
    expect(parseFaults("latency=20; chunks=3, chunk-bytes=5;reset")).toEqual({
      latencyMs: 20,
      chunks: 3,
      chunkBytes: 5,
      reset: true,
    });
  });

  it.each([["explode"], ["latency"], ["latency=-1"], ["status=200"], ["chunks=0"], ["hang=1"]])(
    "answers %s with a 400 naming the problem",
    async (fault) => {
      const res = await faulty(fault);
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ error: expect.stringContaining("x-emulator-fault") });
    },
  );
});

describe("faults", () => {
  it("waits the latency before answering", async () => {
    const started = performance.now();
    const res = await faulty("latency=150", CHAT);
    expect(res.status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it("streams exactly the requested number of content chunks of the requested size", async () => {
    const res = await faulty("chunks=64; chunk-bytes=100");
    const data = sseData(await res.text());
    const contents = data
      .filter((d) => d !== "[DONE]")
      .map(
        (d) => (JSON.parse(d) as { choices: Array<{ delta: { content: string | null } }> }).choices[0]?.delta.content,
      )
      .filter((c): c is string => typeof c === "string");
    expect(contents).toHaveLength(64);
    expect(contents.every((c) => c.length === 100)).toBe(true);
    expect(data.at(-1)).toBe("[DONE]");
  });

  it("spaces stream chunks by the chunk delay", async () => {
    const started = performance.now();
    const res = await faulty("chunks=5; chunk-delay=40");
    await res.text();
    // role + 5 content + finish + usage + [DONE] = 9 events, 8 gaps.
    expect(performance.now() - started).toBeGreaterThanOrEqual(8 * 40 - 10);
  });

  it("streams 100 MB lazily without holding it in memory", async () => {
    // A chunk's bytes live outside V8's heap (arrayBuffers): both count, measured after a collection.
    const collect = collector();
    const held = () => {
      collect();
      const { heapUsed, arrayBuffers } = process.memoryUsage();
      return heapUsed + arrayBuffers;
    };
    const before = held();
    const res = await faulty("chunks=1600; chunk-bytes=65536");
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let bytes = 0;
    let peak = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
      if (bytes === value.byteLength || bytes % (8 * 1024 * 1024) < value.byteLength)
        peak = Math.max(peak, held() - before);
    }
    expect(bytes).toBeGreaterThan(100 * 1024 * 1024);
    expect(peak).toBeLessThan(16 * 1024 * 1024);
  });

  it("answers 429 with Retry-After and retry_after", async () => {
    const res = await faulty("status=429; retry-after=7");
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("7");
    expect(await res.json()).toEqual({ error: "rate limit exceeded", retry_after: 7 });
  });

  it.each([[500], [502], [503], [402]])("answers status=%i with that status and an error body", async (status) => {
    const res = await faulty(`status=${status}`);
    expect(res.status).toBe(status);
    expect(await res.json()).toEqual({ error: expect.any(String) });
  });

  it("rejects fetch with a TypeError for a connection reset, before any header", async () => {
    const emulator = createEmulator();
    const error = await faulty("reset", CHAT, emulator).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect(EmulatedNetworkError.isInstance(error)).toBe(true);
    expect(emulator.requests.list()[0]?.networkError).toBe("reset");
  });

  it("cuts a stream off after N events: no [DONE], and the body errors", async () => {
    const res = await faulty("cut-after=3");
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = "";
    const error = await (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return undefined;
        text += decoder.decode(value);
      }
    })().catch((e: unknown) => e);
    expect(EmulatedNetworkError.isInstance(error)).toBe(true);
    expect(sseData(text)).toHaveLength(3);
    expect(text).not.toContain("[DONE]");
  });

  it("cuts a stream off after N bytes with cut-after-bytes, inside an event, logged as cut", async () => {
    const emulator = createEmulator();
    const whole = await (await faulty("chunks=5")).text();
    const res = await faulty("chunks=5; cut-after-bytes=150", { ...CHAT, stream: true }, emulator);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const bytes: number[] = [];
    const error = await (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return undefined;
        bytes.push(...value);
      }
    })().catch((e: unknown) => e);
    expect(EmulatedNetworkError.isInstance(error)).toBe(true);
    const text = new TextDecoder().decode(new Uint8Array(bytes));
    expect(bytes).toHaveLength(150);
    // Byte 150 falls inside the first event (its id differs per call, its length does not).
    expect(whole.indexOf("\n\n")).toBeGreaterThan(150);
    expect(text.startsWith("data: {")).toBe(true);
    expect(text).not.toContain("\n\n");
    const record = emulator.requests.list()[0];
    expect(record).toMatchObject({ networkError: "cut", completedAt: null, cancelledAt: null });
  });

  it("cuts a non-streamed body off after N bytes", async () => {
    const res = await faulty("cut-after=10", CHAT);
    await expect(res.text()).rejects.toThrow(TypeError);
  });

  it.each([
    ["an SSE stream", "cut-after=3", { ...CHAT, stream: true }],
    ["a chunked SSE stream", "chunks=5; cut-after=2", { ...CHAT, stream: true }],
    ["a JSON body", "cut-after=10", CHAT],
    ["an SSE stream", "cut-after-bytes=100", { ...CHAT, stream: true }],
    ["a JSON body", "cut-after-bytes=10", CHAT],
  ])("logs %s cut off by %s as a cut, never as completed", async (_, fault, body) => {
    const emulator = createEmulator();
    const res = await faulty(fault, body, emulator);
    await expect(res.text()).rejects.toThrow(TypeError);
    const record = emulator.requests.list()[0];
    expect(record?.networkError).toBe("cut");
    expect(record?.completedAt).toBeNull();
  });

  it("logs a JSON body shorter than cut-after as completed, not cut", async () => {
    const emulator = createEmulator();
    const res = await faulty("cut-after=100000", CHAT, emulator);
    await res.json();
    const record = emulator.requests.list()[0];
    expect(record?.networkError).toBeNull();
    expect(record?.completedAt).toEqual(expect.any(Number));
  });

  it("logs a slow body as completed only once its last slice is read", async () => {
    const emulator = createEmulator();
    const res = await faulty("slow-body=1; slow-body-bytes=100", CHAT, emulator);
    expect(emulator.requests.list()[0]?.completedAt).toBeNull();
    await res.text();
    expect(emulator.requests.list()[0]?.completedAt).toEqual(expect.any(Number));
  });

  /** A chat request under the hang fault, and how it stands after `ms`: answered, failed or hanging. */
  function hangingChat(emulator: ReturnType<typeof createEmulator>, signal: AbortSignal) {
    const pending = emulator.fetch("http://x/v1/chat/completions", {
      method: "POST",
      headers: { ...bearer(), "x-emulator-fault": "hang" },
      body: JSON.stringify(CHAT),
      signal,
    });
    const stateAfter = (ms: number) =>
      Promise.race([
        pending.then(
          () => "answered",
          () => "failed",
        ),
        new Promise((r) => setTimeout(() => r("hanging"), ms)),
      ]);
    return { pending, stateAfter };
  }

  it("hangs without headers until the request is aborted, and logs the cancellation", async () => {
    const emulator = createEmulator();
    const aborter = new AbortController();
    const { pending, stateAfter } = hangingChat(emulator, aborter.signal);
    expect(await stateAfter(100)).toBe("hanging");
    aborter.abort();
    await expect(pending).rejects.toThrow();
    expect(emulator.requests.list()[0]?.cancelledAt).toEqual(expect.any(Number));
  });

  it("ends a hang when init's signal aborts, also after the Request built from it was collected", async () => {
    // On Node a Request's own signal follows init's only while that Request lives, and nothing
    // outside holds the Request of a hanging fetch: the emulator must listen to init's signal itself.
    const collect = collector();
    const emulator = createEmulator();
    const aborter = new AbortController();
    const { stateAfter } = hangingChat(emulator, aborter.signal);
    for (let round = 0; round < 3; round++) {
      await new Promise((r) => setTimeout(r, 10));
      collect();
    }
    aborter.abort();
    expect(await stateAfter(500)).toBe("failed");
    expect(emulator.requests.list()[0]?.cancelledAt).toEqual(expect.any(Number));
  });

  it.each([
    ["a slow body", "slow-body=5; slow-body-bytes=10", CHAT],
    ["a stream", "chunks=100; chunk-delay=5", { ...CHAT, stream: true }],
  ])("logs %s the client cancels mid-way as cancelled, not completed", async (_what, fault, body) => {
    const emulator = createEmulator();
    const res = await faulty(fault, body, emulator);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    await reader.cancel();
    const record = emulator.requests.list()[0];
    expect(record?.cancelledAt).toEqual(expect.any(Number));
    expect(record?.completedAt).toBeNull();
  });

  it("trickles a slow body in small slices", async () => {
    const res = await faulty("slow-body=20; slow-body-bytes=100", CHAT);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const started = performance.now();
    const slices: Uint8Array[] = [];
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      slices.push(value);
    }
    const sizes = slices.map((slice) => slice.byteLength);
    expect(sizes.length).toBeGreaterThan(2);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(100);
    expect(performance.now() - started).toBeGreaterThanOrEqual((sizes.length - 1) * 20 - 10);
    // All of it arrived: the slices make up the whole chat completion.
    const body = JSON.parse(Buffer.concat(slices).toString("utf8")) as { object: string; choices: unknown[] };
    expect(body.object).toBe("chat.completion");
    expect(body.choices).toHaveLength(1);
  });

  it("applies faults given as an emulator option to every request", async () => {
    const emulator = createEmulator({ faults: { status: 503, retryAfter: 2 } });
    const res = await get(emulator, "/v1/model_apis");
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("2");
  });

  it("lets a per-request function choose faults", async () => {
    const emulator = createEmulator({
      faults: (request) => (new URL(request.url).pathname === "/v1/models" ? { status: 502 } : undefined),
    });
    expect((await get(emulator, "/v1/models")).status).toBe(502);
    expect((await get(emulator, "/v1/model_apis")).status).toBe(200);
  });

  it("fails only the next N matching requests with a queued fault, then recovers", async () => {
    const emulator = createEmulator();
    emulator.faults.push({ fault: { status: 503 }, times: 2, path: "/v1/chat" });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await post(emulator, "/v1/chat/completions", CHAT)).status);
    expect(statuses).toEqual([503, 503, 200]);
    expect(emulator.faults.pending).toBe(0);
  });

  it("keeps a queued fault for the next request when a malformed header answers 400", async () => {
    const emulator = createEmulator();
    emulator.faults.push({ fault: { status: 503 } });
    expect((await faulty("explode", CHAT, emulator)).status).toBe(400);
    expect(emulator.faults.pending).toBe(1);
    expect((await post(emulator, "/v1/chat/completions", CHAT)).status).toBe(503);
  });

  it("queues faults over HTTP with POST /__emulator/faults", async () => {
    const emulator = createEmulator();
    const queued = await emulator.fetch("http://x/__emulator/faults", {
      method: "POST",
      body: JSON.stringify({ fault: "status=429; retry-after=1", path: "/v1/model_apis" }),
    });
    expect(queued.status).toBe(201);
    expect((await get(emulator, "/v1/models")).status).toBe(200);
    expect((await get(emulator, "/v1/model_apis")).status).toBe(429);
    expect((await get(emulator, "/v1/model_apis")).status).toBe(200);
  });

  it("refuses a malformed queued fault with a 400", async () => {
    const res = await createEmulator().fetch("http://x/__emulator/faults", {
      method: "POST",
      body: JSON.stringify({ fault: "boom" }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: expect.stringContaining("boom") });
  });
});
