// Test wiring for the relay: a gateway whose upstream is an in-process emulator, plus request builders.
import { createEmulator, type EmulatorOptions } from "@baseten-edge/emulator";
import type { GatewayEvent, GatewayOptions } from "../src/index.ts";
import { testGateway, waitUntilCollector } from "./helpers.ts";

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
  const gateway = testGateway((request) => emulator.fetch(request), events, gatewayOptions);
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
