// The Worker in workerd against hostile input and a hostile upstream: response-header firewall, bounded
// CPU and echo for hostile bodies, and what workerd does when a client leaves before the answer.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../src/index.ts";
import { BROKEN_HOST, BROKEN_PARTS, EMULATOR_KEY, HOSTILE_HOST, HUNG_HOST } from "./constants.ts";

const BASE = "https://gateway.example";
const ALLOWED_ORIGIN = "https://app.example";
const question = {
  model: "deepseek-ai/DeepSeek-V4-Pro",
  messages: [{ role: "user", content: "Is a banana a fruit?" }],
};
const FORBIDDEN = [
  "access-control-allow-credentials",
  "cache-control",
  "location",
  "refresh",
  "strict-transport-security",
  "alt-svc",
  "set-cookie",
  "x-hop-secret",
  "x-ratelimit-hop",
  "content-security-policy",
  "via",
];

async function post(body: unknown, origin: string, extra: Record<string, unknown> = {}) {
  const ctx = createExecutionContext();
  const response = await worker.fetch(
    new Request(`${BASE}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${EMULATOR_KEY}`, "content-type": "application/json", origin },
      body: typeof body === "string" ? body : JSON.stringify(body),
    }),
    // Variables the Worker reads but wrangler.jsonc does not declare, so Env does not name them.
    {
      ...env,
      AUTH_MODE: "pass-through",
      BASETEN_INFERENCE_URL: `https://${HOSTILE_HOST}`,
      CORS_ORIGINS: ALLOWED_ORIGIN,
      ...extra,
    } as Env,
    ctx,
  );
  const text = await response.text();
  await waitOnExecutionContext(ctx);
  return { response, text };
}

describe("a hostile upstream's response headers, in workerd", () => {
  for (const stream of [false, true]) {
    for (const origin of [ALLOWED_ORIGIN, "https://evil.example"]) {
      it(`${stream ? "streamed" : "JSON"} answer, Origin ${origin}`, async () => {
        const { response, text } = await post(stream ? { ...question, stream } : question, origin);
        expect(response.status).toBe(200);
        expect(text).toContain("chatcmpl-");
        const headers = response.headers;
        for (const name of FORBIDDEN) expect(headers.get(name), name).toBeNull();
        expect(headers.get("access-control-allow-origin")).toBe(origin === ALLOWED_ORIGIN ? ALLOWED_ORIGIN : null);
        expect(headers.get("access-control-expose-headers")).not.toBe("*");
        expect(headers.get("x-baseten-request-id")).toBe("54ca7019e800a218e791c91a6d5bcc39a7294");
        expect(headers.get("x-ratelimit-remaining-requests")).toBe("99");
        expect(headers.get("x-baseten-edge-cost-usd")).not.toBe("0.0000001");
      });
    }
  }
});

describe("hostile bodies, in workerd", () => {
  it("refuses a 10 MB body nested millions deep with 400 in OpenAI's shape, echoing nothing", async () => {
    const half = 4_999_900;
    const body = `{"model":"x","messages":[],"x":${"[".repeat(half)}${"]".repeat(half)}}`;
    const { response, text } = await post(body, ALLOWED_ORIGIN);
    expect(response.status).toBe(400);
    expect(JSON.parse(text)).toEqual({
      error: {
        message: "The request body nests deeper than 128 levels.",
        type: "invalid_request_error",
        param: null,
        code: null,
      },
    });
  });

  it("refuses a 10 MB model with 400, answering and logging a bounded message", async () => {
    const { response, text } = await post({ model: "m".repeat(10_000_000), messages: [] }, ALLOWED_ORIGIN);
    expect(response.status).toBe(400);
    expect(text.length).toBeLessThan(300);
  });
});

describe("early answers and early departures, in workerd", () => {
  it("answers 413 to a declared over-limit Content-Length before the body has arrived", async () => {
    // A body that sends one chunk and then never ends: only an answer before reading can come back.
    let pulls = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (pulls++ === 0) controller.enqueue(new TextEncoder().encode('{"model":"x"'));
      },
    });
    const ctx = createExecutionContext();
    const response = await worker.fetch(
      new Request(`${BASE}/v1/chat/completions`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${EMULATOR_KEY}`,
          "content-type": "application/json",
          "content-length": "20000000",
        },
        body,
      }),
      { ...env, AUTH_MODE: "pass-through" } as Env,
      ctx,
    );
    expect(response.status).toBe(413);
    expect(pulls).toBeLessThanOrEqual(1);
  });

  it("gives up on the upstream and logs 499 when the client's signal aborts before response headers", async () => {
    // Miniflare's outboundService does not pass a cancellation on to Node, so the hung upstream
    // cannot see it here; tools/bench/src/probe-workerd.ts shows workerd closing the connection.
    const state = async () =>
      (await (await fetch(`https://${HUNG_HOST}/__state`)).json()) as { started: number; cancelled: number };
    const before = await state();
    const client = new AbortController();
    const ctx = createExecutionContext();
    const logged: string[] = [];
    const log = console.log;
    console.log = (line: string) => void logged.push(line);
    try {
      const pending = worker.fetch(
        new Request(`${BASE}/v1/chat/completions`, {
          method: "POST",
          headers: { authorization: `Bearer ${EMULATOR_KEY}`, "content-type": "application/json" },
          body: JSON.stringify(question),
          signal: client.signal,
        }),
        { ...env, AUTH_MODE: "pass-through", BASETEN_INFERENCE_URL: `https://${HUNG_HOST}` } as Env,
        ctx,
      );
      // Leave once the request is upstream (polled: no timing assumption).
      for (let i = 0; i < 400 && (await state()).started === before.started; i++) await scheduler.wait(5);
      client.abort();
      const response = await pending;
      expect(response.status).toBe(499);
      await waitOnExecutionContext(ctx);
    } finally {
      console.log = log;
    }
    expect((await state()).started - before.started).toBe(1);
    const requests = logged.map((line) => JSON.parse(line)).filter((event) => event.event === "request");
    expect(requests.map((event) => event.status)).toEqual([499]);
  });
});

describe("an upstream stream that breaks in the middle of an event, in workerd", () => {
  it("aborts the client's stream after the bytes that came, with nothing glued to the half event", async () => {
    const ctx = createExecutionContext();
    const response = await worker.fetch(
      new Request(`${BASE}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${EMULATOR_KEY}`, "content-type": "application/json" },
        body: JSON.stringify({ ...question, stream: true }),
      }),
      { ...env, AUTH_MODE: "pass-through", BASETEN_INFERENCE_URL: `https://${BROKEN_HOST}` } as Env,
      ctx,
    );
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let received = "";
    const ended = await (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return "closed";
        received += decoder.decode(value, { stream: true });
      }
    })().catch(() => "errored");
    await waitOnExecutionContext(ctx);
    expect(ended).toBe("errored");
    expect(received).toBe(BROKEN_PARTS.join(""));
  });
});
