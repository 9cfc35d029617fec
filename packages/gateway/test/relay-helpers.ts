// Test wiring for the relay: a gateway whose upstream is an in-process emulator, plus request builders.
import { sha256Hex } from "@baseten-edge/core/internal";
import { createEmulator, type EmulatorOptions } from "@baseten-edge/emulator";
import { expect } from "vitest";
import { atomicStore, type GatewayEvent, type GatewayOptions, memoryCells } from "../src/index.ts";
import { harness, testGateway, waitUntilCollector } from "./helpers.ts";
import { ADMIN, STATIC } from "./limits-fixtures.ts";

export const CHAT = { model: "openai/gpt-oss-120b", messages: [{ role: "user", content: "Say hello." }] };
export const MESSAGES = {
  model: "openai/gpt-oss-120b",
  max_tokens: 64,
  messages: [{ role: "user", content: "Say hello." }],
};

export function relayHarness(gatewayOptions: Partial<GatewayOptions> = {}, emulatorOptions: EmulatorOptions = {}) {
  const emulator = createEmulator(emulatorOptions);
  const events: GatewayEvent[] = [];
  const { ctx, settle } = waitUntilCollector();
  const gateway = testGateway((request, init) => emulator.fetch(request, init), events, gatewayOptions);
  /** A fetch for SDKs: every request goes into the gateway. */
  const fetch = (input: string | URL | Request, init?: RequestInit) => gateway.fetch(new Request(input, init), ctx);
  return {
    gateway,
    emulator,
    events,
    fetch,
    settle,
    post(path: string, body: unknown, headers: Record<string, string> = {}, signal?: AbortSignal) {
      return gateway.fetch(
        new Request(`http://gateway.test${path}`, {
          method: "POST",
          headers: { authorization: "Bearer emulator-key", "content-type": "application/json", ...headers },
          body: typeof body === "string" ? body : JSON.stringify(body),
          ...(signal ? { signal } : {}),
        }),
        ctx,
      );
    },
    /** Requests the emulator received on a path. */
    upstream(path: string) {
      return emulator.requests.list().filter((r) => r.path === path);
    },
  };
}

/**
 * A relay harness whose upstream answers POSTs on `path` with `answer()` (what the emulator cannot
 * give: a malformed or broken stream), and everything else as the emulator does.
 */
export function answeredOn(path: string, answer: () => Response, gatewayOptions: Partial<GatewayOptions> = {}) {
  const h: ReturnType<typeof relayHarness> = relayHarness({
    ...gatewayOptions,
    fetch: async (request, init) =>
      new URL(request.url).pathname === path ? answer() : h.emulator.fetch(request, init),
  });
  return h;
}

/** An SSE answer with `body` (a string, or a stream of bytes). */
export const sseAnswer = (body: BodyInit) => new Response(body, { headers: { "content-type": "text/event-stream" } });

/** Reads a body to its end: the text received, and whether it closed or errored. */
export async function readToEnd(body: ReadableStream<Uint8Array>): Promise<{ text: string; ended: string }> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  const ended = await (async () => {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return "closed";
      text += decoder.decode(value, { stream: true });
    }
  })().catch(() => "errored");
  return { text, ended };
}

/** An answer's text without what differs on every call: ids and creation times. */
export const withoutIds = (text: string) => text.replace(/"id":"[^"]+"|"created(?:_at)?":\d+/g, "");

/** A Baseten answer the emulator cannot give (its faults are 4xx/5xx only). */
export type Answer = () => Response;

/**
 * An operator gateway with limits (Baseten's per-model ones off) and one gateway key under `policy`;
 * its inference POSTs get `answers` in turn, then the emulator's; `delayMs` slows the upstream's answers.
 */
export async function keyedRelayHarness(
  policy: Record<string, unknown>,
  answers: Answer[] = [],
  delayMs: (request: Request) => number = () => 0,
) {
  const store = atomicStore(memoryCells());
  const h = harness({
    auth: { mode: "operator", apiKey: "emulator-key", tokenHashes: [await sha256Hex(STATIC)] },
    limits: { store, adminTokenHashes: [await sha256Hex(ADMIN)], modelLimits: false },
    fetch: async (request, init) => {
      const delay = delayMs(request);
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      const answer = request.method === "POST" ? answers.shift() : undefined;
      return answer ? answer() : h.emulator.fetch(request, init);
    },
  });
  const key = `bek_test_${crypto.randomUUID()}`;
  const put = await h.send("PUT", `/v1/admin/keys/${await sha256Hex(key)}`, ADMIN, policy);
  expect(put.status).toBe(200);
  return {
    ...h,
    key,
    post: (path: string, body: unknown) => h.send("POST", path, key, body),
    requestEvents: () => h.events.filter((e) => e.event === "request"),
  };
}
