// Test wiring: a gateway in front of an in-process emulator, with a controllable clock and upstream.
import type { FetchLike } from "@baseten-edge/core";
import { sha256Hex } from "@baseten-edge/core/internal";
import { createEmulator, type EmulatorOptions } from "@baseten-edge/emulator";
import {
  type CatalogStore,
  createGateway,
  type GatewayEvent,
  type GatewayOptions,
  type StoredEntry,
} from "../src/index.ts";

export const SALT = "test-salt-0123456789abcdef";

export interface Harness {
  gateway: ReturnType<typeof createGateway>;
  emulator: ReturnType<typeof createEmulator>;
  clock: { now: number; advance(seconds: number): void };
  /**
   * Set `down` to make every upstream call fail; `answer` to answer calls in the emulator's place
   * (those it returns a Response for); `attempts` counts the calls tried.
   */
  upstream: { down: boolean; attempts: number; answer?: (request: Request) => Response | undefined };
  events: GatewayEvent[];
  /** Runs everything handed to waitUntil so far. */
  settle(): Promise<void>;
  /** GET a path on the gateway with a key. */
  get(path: string, key?: string | null, headers?: Record<string, string>): Promise<Response>;
  /** Upstream requests the emulator received for a path prefix. */
  upstreamCalls(path: string): number;
  /** Any method on the gateway with a key (null: none) and a JSON body. */
  send(method: string, path: string, key: string | null, body?: unknown, init?: RequestInit): Promise<Response>;
}

/** A pass-through gateway on the test salt whose upstream is `fetch`; events go to `events`. */
export function testGateway(
  fetch: GatewayOptions["fetch"],
  events: GatewayEvent[],
  overrides: Partial<GatewayOptions>,
) {
  return createGateway({
    auth: { mode: "pass-through" },
    cacheSalt: SALT,
    managementUrl: "http://baseten.test",
    inferenceUrl: "http://baseten.test",
    ...(fetch ? { fetch } : {}),
    log: (event) => events.push(event),
    ...overrides,
  });
}

/** A context whose waitUntil promises `settle()` runs to the end (including ones they add). */
export function waitUntilCollector() {
  const pending: Promise<unknown>[] = [];
  return {
    ctx: { waitUntil: (promise: Promise<unknown>) => void pending.push(promise) },
    async settle() {
      while (pending.length) await Promise.allSettled(pending.splice(0));
    },
  };
}

export function harness(
  gatewayOptions: Partial<GatewayOptions> = {},
  emulatorOptions: EmulatorOptions = { acceptAnyKey: true },
): Harness {
  const clock = {
    now: Date.parse("2026-11-01T00:00:00Z"),
    advance(seconds: number) {
      clock.now += seconds * 1000;
    },
  };
  const emulator = createEmulator({ ...emulatorOptions, now: () => clock.now });
  const upstream: Harness["upstream"] = { down: false, attempts: 0 };
  const events: GatewayEvent[] = [];
  const { ctx, settle } = waitUntilCollector();
  const upstreamFetch: FetchLike = async (request, init) => {
    upstream.attempts++;
    if (upstream.down) throw new TypeError("fetch failed", { cause: { code: "ECONNRESET" } });
    return upstream.answer?.(request) ?? emulator.fetch(request, init);
  };
  const gateway = testGateway(upstreamFetch, events, { now: () => clock.now, ...gatewayOptions });
  return {
    gateway,
    emulator,
    clock,
    upstream,
    events,
    settle,
    get(path, key = "emulator-key", headers = {}) {
      const auth: Record<string, string> = key === null ? {} : { authorization: `Bearer ${key}` };
      return gateway.fetch(new Request(`http://gateway.test${path}`, { headers: { ...auth, ...headers } }), ctx);
    },
    upstreamCalls(path) {
      return emulator.requests.list().filter((r) => r.path.startsWith(path)).length;
    },
    send(method, path, key, body, init = {}) {
      const headers = new Headers(init.headers);
      if (key !== null) headers.set("authorization", `Bearer ${key}`);
      if (body !== undefined) headers.set("content-type", "application/json");
      const request = new Request(`http://gateway.test${path}`, {
        ...init,
        method,
        headers,
        ...(body !== undefined && { body: typeof body === "string" ? body : JSON.stringify(body) }),
      });
      return gateway.fetch(request, ctx);
    },
  };
}

/** A store that keeps everything it is given, so tests can inspect keys and values. */
export function spyStore(name = "spy"): CatalogStore & { entries: Map<string, StoredEntry>; ttls: number[] } {
  const entries = new Map<string, StoredEntry>();
  const ttls: number[] = [];
  return {
    name,
    entries,
    ttls,
    async get(key) {
      return entries.get(key) ?? null;
    },
    async put(key, entry, ttlSeconds) {
      entries.set(key, entry);
      ttls.push(ttlSeconds);
    },
    async delete(key) {
      entries.delete(key);
    },
  };
}

/** The marker the emulator stamps into bodies for a key's workspace (acceptAnyKey). */
export async function markerOf(key: string): Promise<string> {
  return `ws-${(await sha256Hex(key)).slice(0, 12)}`;
}
