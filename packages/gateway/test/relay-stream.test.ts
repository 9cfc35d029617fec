import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { estimateCost, type InferenceModel } from "@baseten-edge/core";
import { createEmulator, parseFaults } from "@baseten-edge/emulator";
import { describe, expect, it } from "vitest";
import { endsAnEvent } from "../src/relay/stream.ts";
import { answeredOn, CHAT, MESSAGES, readToEnd, relayHarness, sseAnswer, withoutIds } from "./relay-helpers.ts";

// The relay never forwards x-emulator-fault (it is not on the header allowlist), so faults are
// queued on the emulator for its next inference request instead.
function withFault(h: ReturnType<typeof relayHarness>, spec: string, path = "/v1/chat/completions") {
  h.emulator.faults.push({ fault: parseFaults(spec), times: 1, path });
  return h;
}

/** The emulator's own answer to a streamed chat request of `chunks` content chunks (the bytes the relay must pass on). */
async function directStream(h: ReturnType<typeof relayHarness>, chunks: number): Promise<string> {
  const response = await h.emulator.fetch("http://baseten.test/v1/chat/completions", {
    method: "POST",
    headers: {
      authorization: "Bearer emulator-key",
      "content-type": "application/json",
      "x-emulator-fault": `chunks=${chunks}`,
    },
    body: JSON.stringify({ ...CHAT, stream: true }),
  });
  return response.text();
}

/** A streamed answer without the parts that differ per call (ids, timestamps). */

describe("streaming relay", () => {
  it("passes a 64-chunk stream through byte for byte, ending at [DONE]", async () => {
    const h = relayHarness();
    const direct = await directStream(h, 64);
    const relayed = await withFault(h, "chunks=64").post("/v1/chat/completions", { ...CHAT, stream: true });
    expect(relayed.headers.get("content-type")).toMatch(/text\/event-stream/);
    const text = await relayed.text();
    expect(withoutIds(text)).toBe(withoutIds(direct));
    expect(text.endsWith("data: [DONE]\n\n")).toBe(true);
  });

  it("ends a stream cut off upstream with an error event and no [DONE]", async () => {
    const h = relayHarness();
    const response = await withFault(h, "chunks=30; cut-after=5").post("/v1/chat/completions", {
      ...CHAT,
      stream: true,
    });
    const text = await response.text();
    expect(text).not.toContain("[DONE]");
    const last = text.trimEnd().split("\n\n").at(-1)!;
    expect(JSON.parse(last.slice("data: ".length))).toEqual({
      error: {
        message: expect.stringMatching(/broke off|ended before/),
        type: "api_error",
        param: null,
        code: "upstream_stream_error",
      },
    });
    await h.settle();
    expect(h.events.find((e) => e.event === "request")?.stream_outcome).toMatch(/broken|truncated/);
  });

  it("ends a cut-off Anthropic stream with an Anthropic error event and no message_stop", async () => {
    const h = relayHarness();
    const response = await withFault(h, "chunks=30; cut-after=4", "/v1/messages").post("/v1/messages", {
      ...MESSAGES,
      stream: true,
    });
    const text = await response.text();
    expect(text).not.toContain("message_stop");
    expect(text.trimEnd().split("\n\n").at(-1)).toMatch(
      /^event: error\ndata: \{"type":"error","error":\{"type":"api_error"/,
    );
  });

  describe("a stream that stops in the middle of an event", () => {
    const START =
      'event: message_start\ndata: {"type":"message_start","message":{"id":"m","type":"message","role":"assistant","content":[],"model":"x","usage":{"input_tokens":1,"output_tokens":1}}}\n\n';
    const cases = [
      {
        name: "breaks off inside an OpenAI chunk",
        path: "/v1/chat/completions",
        parts: [
          'data: {"choices":[{"index":0,"delta":{"content":"Hel"}}]}\n\n',
          'data: {"choices":[{"delta":{"content":"lo wor',
        ],
        breaks: true,
        outcome: "broken",
      },
      {
        name: "ends with [DONE] but no blank line after it",
        path: "/v1/chat/completions",
        parts: ['data: {"choices":[{"index":0,"delta":{"content":"Hel"}}]}\n\n', "data: [DONE]\n"],
        breaks: false,
        outcome: "truncated",
      },
      {
        name: "ends inside an Anthropic event",
        path: "/v1/messages",
        parts: [START, 'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"te'],
        breaks: false,
        outcome: "truncated",
      },
    ];
    it.each(cases)(
      "$name: aborted, never with an event glued to the half one",
      async ({ path, parts, breaks, outcome }) => {
        const encoder = new TextEncoder();
        const queue = [...parts];
        const broken = new ReadableStream<Uint8Array>({
          // One part a pull: an error in the same turn would discard what was queued.
          async pull(controller) {
            const part = queue.shift();
            if (part !== undefined) return controller.enqueue(encoder.encode(part));
            await new Promise((resolve) => setTimeout(resolve, 20));
            if (breaks) controller.error(new TypeError("terminated"));
            else controller.close();
          },
        });
        const h = answeredOn(path, () => sseAnswer(broken));
        const body = path === "/v1/messages" ? { ...MESSAGES, stream: true } : { ...CHAT, stream: true };
        const response = await h.post(path, body);
        expect(response.status).toBe(200);
        const { text: received, ended } = await readToEnd(response.body!);
        // The client's SSE parser drops the half event when the transport fails; no bytes were added to it.
        expect(ended).toBe("errored");
        expect(parts.join("").startsWith(received)).toBe(true);
        await h.settle();
        expect(h.events.find((e) => e.event === "request")?.stream_outcome).toBe(outcome);
      },
    );

    it("still gets an error event when it stops exactly between events", async () => {
      const h = answeredOn("/v1/chat/completions", () =>
        sseAnswer('data: {"choices":[{"index":0,"delta":{"content":"Hel"}}]}\r\n\r\n'),
      );
      const text = await (await h.post("/v1/chat/completions", { ...CHAT, stream: true })).text();
      expect(text).toMatch(
        /\r\n\r\ndata: \{"error":\{"message":"The upstream stream ended before the answer was complete/,
      );
    });
  });

  it("ends a stream that goes silent with an error event after the idle timeout", async () => {
    const h = relayHarness({ idleTimeoutSeconds: 0.2 });
    const started = Date.now();
    const response = await withFault(h, "chunks=5; chunk-delay=5000").post("/v1/chat/completions", {
      ...CHAT,
      stream: true,
    });
    const text = await response.text();
    // Ended long before the next chunk would have come (5 s), with the idle timeout's error event.
    expect(Date.now() - started).toBeLessThan(4000);
    expect(text).toMatch(/sent nothing for 200 ms/);
    expect(text).not.toContain("[DONE]");
  });

  it("answers 504 in the route's shape when headers do not come in time", async () => {
    const h = relayHarness({ firstByteTimeoutSeconds: 0.2 });
    const response = await withFault(h, "hang", "/v1/messages").post("/v1/messages", MESSAGES);
    expect(response.status).toBe(504);
    expect(await response.json()).toEqual({
      type: "error",
      error: { type: "timeout_error", message: expect.stringMatching(/did not answer/) },
    });
  });

  it("answers 504 in time also when the garbage collector runs while Baseten hangs", async () => {
    // The harness's fetch passes `init` on, as core's FetchLike asks: on Node the attempt Request's own
    // signal stops following the relay's once that Request is collected (this test's old flake).
    setFlagsFromString("--expose-gc");
    const collect = runInNewContext("gc") as () => void;
    const h = relayHarness({ firstByteTimeoutSeconds: 0.2 });
    const pending = withFault(h, "hang", "/v1/messages").post("/v1/messages", MESSAGES);
    for (let round = 0; round < 4; round++) {
      await new Promise((r) => setTimeout(r, 20));
      collect();
    }
    expect((await pending).status).toBe(504);
  });

  it("cancels the upstream request when the client goes away, and logs the stream as cancelled", async () => {
    const h = relayHarness();
    const response = await withFault(h, "chunks=200; chunk-delay=20").post("/v1/chat/completions", {
      ...CHAT,
      stream: true,
    });
    const reader = response.body!.getReader();
    await reader.read();
    await reader.read();
    const cancelledAt = Date.now();
    await reader.cancel();
    // Cancelled, not completed: the whole stream would take 4 s.
    await expect.poll(() => h.upstream("/v1/chat/completions")[0]?.cancelledAt, { timeout: 3000 }).toBeTypeOf("number");
    expect(h.upstream("/v1/chat/completions")[0]!.cancelledAt! - cancelledAt).toBeLessThan(3000);
    expect(h.upstream("/v1/chat/completions")[0]!.completedAt).toBeNull();
    await expect.poll(() => h.events.find((e) => e.event === "request")?.stream_outcome).toBe("cancelled");
  });

  it("aborts the upstream request when the client's request is aborted before headers", async () => {
    const h = relayHarness();
    const controller = new AbortController();
    const pending = withFault(h, "hang").post("/v1/chat/completions", CHAT, {}, controller.signal);
    await new Promise((r) => setTimeout(r, 50));
    controller.abort();
    await pending.catch(() => {});
    await expect.poll(() => h.upstream("/v1/chat/completions")[0]?.cancelledAt, { timeout: 1000 }).toBeTypeOf("number");
  });
});

describe("faults before the answer", () => {
  it("retries a 429 with a short Retry-After once, and the client sees the success", async () => {
    const h = relayHarness();
    h.emulator.faults.push({ fault: { status: 429, retryAfter: 0 }, times: 1, path: "/v1/chat/completions" });
    const response = await h.post("/v1/chat/completions", CHAT);
    expect(response.status).toBe(200);
    expect(h.upstream("/v1/chat/completions")).toHaveLength(2);
  });

  it("passes a 429 with a long Retry-After to the client, in OpenAI's error shape", async () => {
    const h = relayHarness();
    const response = await withFault(h, "status=429; retry-after=30").post("/v1/chat/completions", CHAT);
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("30");
    expect(await response.json()).toEqual({
      error: { message: expect.any(String), type: "rate_limit_error", param: null, code: null },
    });
    expect(h.upstream("/v1/chat/completions")).toHaveLength(1);
  });

  it.each([500, 502, 503])("passes a %i on without retrying a request Baseten may have started", async (status) => {
    const h = relayHarness();
    const response = await withFault(h, `status=${status}`).post("/v1/chat/completions", CHAT);
    expect(response.status).toBe(status);
    expect(h.upstream("/v1/chat/completions")).toHaveLength(1);
  });

  it("answers 502 in the route's shape when the connection resets before headers", async () => {
    const h = relayHarness();
    const response = await withFault(h, "reset").post("/v1/chat/completions", CHAT);
    expect(response.status).toBe(502);
    expect(await response.json()).toEqual({
      error: { message: "Baseten could not be reached.", type: "api_error", param: null, code: null },
    });
  });

  it("retries a refused connection, which provably never reached Baseten", async () => {
    let calls = 0;
    const h = relayHarness({
      fetch: (request, init) => {
        if (new URL(request.url).pathname === "/v1/chat/completions" && calls++ === 0) {
          return Promise.reject(new TypeError("fetch failed", { cause: { code: "ECONNREFUSED" } }));
        }
        return h.emulator.fetch(request, init);
      },
    });
    expect((await h.post("/v1/chat/completions", CHAT)).status).toBe(200);
    expect(calls).toBe(2);
    expect(h.upstream("/v1/chat/completions")).toHaveLength(1);
  });

  it("relays a slow body completely", async () => {
    const h = relayHarness();
    const response = await withFault(h, "slow-body=5; slow-body-bytes=200").post("/v1/chat/completions", {
      ...CHAT,
      stream: true,
    });
    expect((await response.text()).endsWith("data: [DONE]\n\n")).toBe(true);
  });
});

describe("usage and cost", () => {
  async function warm(h: ReturnType<typeof relayHarness>) {
    const models = (
      (await (
        await h.gateway.fetch(new Request("http://g/v1/models", { headers: { authorization: "Bearer emulator-key" } }))
      ).json()) as { data: InferenceModel[] }
    ).data;
    return models.find((m) => m.id === CHAT.model)!;
  }

  it("puts the exact cost of a non-streamed answer in x-baseten-edge-cost-usd and logs one event", async () => {
    const h = relayHarness();
    const model = await warm(h);
    const response = await h.post("/v1/chat/completions", CHAT);
    const body = (await response.json()) as {
      usage: { prompt_tokens: number; completion_tokens: number; prompt_tokens_details?: { cached_tokens?: number } };
    };
    const expected = estimateCost(model, {
      inputTokens: body.usage.prompt_tokens,
      outputTokens: body.usage.completion_tokens,
      cachedInputTokens: body.usage.prompt_tokens_details?.cached_tokens ?? 0,
    }).totalUsd;
    expect(response.headers.get("x-baseten-edge-cost-usd")).toBe(expected);
    const events = h.events.filter((e) => e.event === "request");
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      route: "/v1/chat/completions",
      model: CHAT.model,
      status: 200,
      input_tokens: body.usage.prompt_tokens,
      output_tokens: body.usage.completion_tokens,
      cost_usd: expected,
      ttfb_ms: expect.any(Number),
      total_ms: expect.any(Number),
      request_id: response.headers.get("x-request-id"),
    });
  });

  it("omits the cost header and logs the cost as unknown for a model listed without prices", async () => {
    // Baseten's catalog allows null prices ("Null when pricing is unavailable"); /v1/models then has no `pricing`.
    const emulator = createEmulator();
    const unpriced = async (request: Request): Promise<Response> => {
      const response = await emulator.fetch(request);
      if (new URL(request.url).pathname !== "/v1/models") return response;
      const body = (await response.json()) as { data: InferenceModel[] };
      for (const model of body.data) if (model.id === CHAT.model) delete model.pricing;
      return Response.json(body);
    };
    const h = relayHarness({ fetch: unpriced });
    expect((await warm(h)).pricing).toBeUndefined();

    const response = await h.post("/v1/chat/completions", CHAT);
    const body = (await response.json()) as { usage: { prompt_tokens: number } };

    expect(response.status).toBe(200);
    expect(response.headers.has("x-baseten-edge-cost-usd")).toBe(false);
    const event = h.events.find((e) => e.event === "request");
    expect(event).toMatchObject({ input_tokens: body.usage.prompt_tokens, cost_usd: null, cost_status: "unknown" });
  });

  it("logs cost_status known with the cost when the prices are listed", async () => {
    const h = relayHarness();
    await warm(h);
    await (await h.post("/v1/chat/completions", CHAT)).text();
    expect(h.events.find((e) => e.event === "request")).toMatchObject({
      cost_usd: expect.stringMatching(/^\d+(\.\d+)?$/),
      cost_status: "known",
    });
  });

  it("reads usage from a stream's last usage chunk and logs it once the stream ends", async () => {
    const h = relayHarness();
    await warm(h);
    const text = await (await h.post("/v1/chat/completions", { ...CHAT, stream: true })).text();
    await h.settle();
    const chunks = text
      .split("\n\n")
      .filter((e) => e.startsWith("data: {"))
      .map((e) => JSON.parse(e.slice(6)) as { usage?: { completion_tokens: number } });
    const last = chunks.filter((c) => c.usage).at(-1)!;
    const event = h.events.find((e) => e.event === "request")!;
    expect(event.output_tokens).toBe(last.usage!.completion_tokens);
    expect(event.cost_usd).toEqual(expect.stringMatching(/^\d+(\.\d+)?$/));
    expect(event.stream_outcome).toBe("complete");
  });

  it("reads Anthropic usage from message_start and message_delta", async () => {
    const h = relayHarness();
    await warm(h);
    const text = await (await h.post("/v1/messages", { ...MESSAGES, stream: true })).text();
    await h.settle();
    const delta = text.split("\n\n").find((e) => e.startsWith("event: message_delta"))!;
    const output = (JSON.parse(delta.split("\ndata: ")[1]!) as { usage: { output_tokens: number } }).usage
      .output_tokens;
    expect(h.events.find((e) => e.event === "request")?.output_tokens).toBe(output);
  });

  it("reads usage from the end of a stream longer than what the watcher keeps, bytes unchanged", async () => {
    const h = relayHarness();
    await warm(h);
    const direct = await directStream(h, 3000);
    const text = await (
      await withFault(h, "chunks=3000").post("/v1/chat/completions", { ...CHAT, stream: true })
    ).text();
    await h.settle();
    expect(text.length).toBeGreaterThan(200_000);
    expect(withoutIds(text)).toBe(withoutIds(direct));
    const usages = text
      .split("\n\n")
      .filter((e) => e.startsWith("data: {"))
      .map((e) => (JSON.parse(e.slice(6)) as { usage?: { completion_tokens: number } }).usage)
      .filter((u) => u !== undefined && u !== null);
    const event = h.events.find((e) => e.event === "request")!;
    expect(event.output_tokens).toBe(usages.at(-1)!.completion_tokens);
    expect(event.stream_outcome).toBe("complete");
  });

  it("keeps Anthropic input tokens from message_start in a stream longer than what the watcher keeps", async () => {
    const h = relayHarness();
    await warm(h);
    const text = await (
      await withFault(h, "chunks=3000", "/v1/messages").post("/v1/messages", { ...MESSAGES, stream: true })
    ).text();
    await h.settle();
    expect(text.length).toBeGreaterThan(200_000);
    const start = text.split("\n\n").find((e) => e.startsWith("event: message_start"))!;
    const input = (JSON.parse(start.split("\ndata: ")[1]!) as { message: { usage: { input_tokens: number } } }).message
      .usage.input_tokens;
    const event = h.events.find((e) => e.event === "request")!;
    expect(event.input_tokens).toBeGreaterThanOrEqual(input);
    expect(event.input_tokens).toBeGreaterThan(0);
    expect(event.stream_outcome).toBe("complete");
  });

  it("never logs keys, prompts or completions", async () => {
    const h = relayHarness();
    await h.post("/v1/chat/completions", { ...CHAT, messages: [{ role: "user", content: "my secret prompt text" }] });
    await h.settle();
    const logged = JSON.stringify(h.events);
    expect(logged).not.toContain("emulator-key");
    expect(logged).not.toContain("secret prompt");
  });
});

describe("endsAnEvent", () => {
  it.each([
    ["", true],
    ["\n", true],
    ["a\n\n", true],
    ["a\r\n\r\n", true],
    ["a\r\r", true],
    ["x\r\r\n", true],
    ["a\n\r\n", true],
    ["ata\n", false],
    ["ta\r\n", false],
    ["data", false],
    ["ata\r", false],
  ])("%j: %s", (end, expected) => {
    expect(endsAnEvent(end)).toBe(expected);
  });
});
