// Tests run inside workerd with the bindings of wrangler.jsonc; Baseten is the emulator, reached as the outbound service.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createEmulator, parseCassette, parseFaults } from "@baseten-edge/emulator";
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig, mergeConfig } from "vitest/config";
import shared from "../../vitest.shared.mts";
import {
  ADMIN_TOKEN,
  BROKEN_HOST,
  BROKEN_PARTS,
  CACHE_SALT,
  EMULATOR_KEY,
  FAULT_AGENT,
  GATEWAY_TOKEN,
  HOSTILE_HOST,
  HUNG_HOST,
} from "./test/constants.ts";

// Every fetch the Worker makes lands here, so no test can reach the real Baseten by accident. The relay forwards
// the caller's User-Agent, so a test can break its own stream (FAULT_AGENT) without touching the shared fault queue.
const emulator = createEmulator({
  faults: (request) => {
    const agent = request.headers.get("user-agent") ?? "";
    return agent.startsWith(FAULT_AGENT) ? parseFaults(agent.slice(FAULT_AGENT.length)) : undefined;
  },
});
// A hostile Baseten (every response header the gateway must not serve), reached as HOSTILE_HOST.
const hostile = createEmulator({
  cassettes: [
    parseCassette(
      readFileSync(new URL("../../packages/gateway/test/fixtures/hostile-headers.yaml", import.meta.url), "utf8"),
      "hostile-headers.yaml",
    ),
  ],
});

// An upstream that never sends headers: counts the requests it got and those the caller cancelled
// (GET /__state tells the tests), and lets each go after 3 s so nothing outlives the run.
const hung = { started: 0, cancelled: 0 };
function hungUpstream(request: Request): Response | Promise<Response> {
  if (new URL(request.url).pathname === "/__state") return Response.json(hung);
  hung.started++;
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(new Response("late")), 3_000);
    request.signal?.addEventListener("abort", () => {
      hung.cancelled++;
      clearTimeout(timer);
      resolve(new Response(null, { status: 499 }));
    });
  });
}

/** A streamed chat completion that breaks in the middle of its second event. */
function brokenStream(): Response {
  const parts = BROKEN_PARTS.map((part) => new TextEncoder().encode(part));
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const part = parts.shift();
      if (part) return controller.enqueue(part);
      await new Promise((resolve) => setTimeout(resolve, 20));
      controller.error(new TypeError("connection reset"));
    },
  });
  return new Response(body, { headers: { "content-type": "text/event-stream" } });
}

export default mergeConfig(
  shared,
  defineConfig({
    plugins: [
      cloudflareTest({
        wrangler: { configPath: "./wrangler.jsonc" },
        miniflare: {
          // Operator mode, so the Cron Trigger has a catalog of its own to refresh.
          bindings: {
            AUTH_MODE: "operator",
            BASETEN_API_KEY: EMULATOR_KEY,
            GATEWAY_TOKENS: createHash("sha256").update(GATEWAY_TOKEN).digest("hex"),
            ADMIN_TOKENS: createHash("sha256").update(ADMIN_TOKEN).digest("hex"),
            CACHE_SALT,
          },
          // Miniflare hands over its own undici Request, which Node's Request cannot copy: rebuild it.
          outboundService: async (request) => {
            const body = request.method === "GET" || request.method === "HEAD" ? null : await request.arrayBuffer();
            const host = new URL(request.url).hostname;
            if (host === HUNG_HOST) return hungUpstream(request as unknown as Request);
            if (host === BROKEN_HOST && request.method === "POST") return brokenStream();
            const upstream = host === HOSTILE_HOST ? hostile : emulator;
            return upstream.fetch(request.url, { method: request.method, headers: [...request.headers], body });
          },
        },
      }),
    ],
  }),
);
