// Test wiring for the relay: a gateway whose upstream is an in-process emulator, plus request builders.
import { createEmulator, type EmulatorOptions } from "@baseten-edge/emulator";
import { createGateway, type GatewayEvent, type GatewayOptions } from "../src/index.ts";
import { SALT } from "./helpers.ts";

export const CHAT = { model: "openai/gpt-oss-120b", messages: [{ role: "user", content: "Say hello." }] };
export const MESSAGES = { model: "openai/gpt-oss-120b", max_tokens: 64, messages: [{ role: "user", content: "Say hello." }] };

export function relayHarness(gatewayOptions: Partial<GatewayOptions> = {}, emulatorOptions: EmulatorOptions = {}) {
  const emulator = createEmulator(emulatorOptions);
  const events: GatewayEvent[] = [];
  const pending: Promise<unknown>[] = [];
  const gateway = createGateway({
    auth: { mode: "pass-through" },
    cacheSalt: SALT,
    managementUrl: "http://baseten.test",
    inferenceUrl: "http://baseten.test",
    fetch: (request) => emulator.fetch(request),
    log: (event) => events.push(event),
    ...gatewayOptions,
  });
  const ctx = { waitUntil: (promise: Promise<unknown>) => void pending.push(promise) };
  /** A fetch for SDKs: every request goes into the gateway. */
  const fetch = (input: string | URL | Request, init?: RequestInit) => gateway.fetch(new Request(input, init), ctx);
  return {
    gateway,
    emulator,
    events,
    fetch,
    async settle() {
      while (pending.length) await Promise.allSettled(pending.splice(0));
    },
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
