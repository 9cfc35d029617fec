// What every client test needs: the Worker's URL, the key, the models, and upstream faults on demand.
import { inject } from "vitest";

export const KEY = "emulator-key";
/** A reasoning model (reasoning on by default) and one that thinks only when asked. */
export const MODEL = "openai/gpt-oss-120b";
export const PLAIN_MODEL = "zai-org/GLM-4.7";

export const gatewayUrl = (): string => inject("gatewayUrl");

/**
 * Makes Baseten (the emulator) answer the next requests on `path` with `fault`, e.g.
 * `status=429; retry-after=30`. Queued through the emulator's admin route, as the tests run in
 * another process than the emulator.
 */
export async function upstreamFault(path: string, fault: string, times = 3): Promise<void> {
  const response = await fetch(`${inject("emulatorUrl")}/__emulator/faults`, {
    method: "POST",
    body: JSON.stringify({ fault, times, path }),
  });
  if (response.status !== 201) throw new Error(`queueing a fault failed: ${response.status} ${await response.text()}`);
}

export async function clearFaults(): Promise<void> {
  await fetch(`${inject("emulatorUrl")}/__emulator/faults`, { method: "DELETE" });
}

/** What the emulator received on `path` (newest last), with when each was cancelled, if it was. */
export async function upstreamRequests(path: string): Promise<{ path: string; cancelledAt: number | null }[]> {
  const response = await fetch(`${inject("emulatorUrl")}/__emulator/requests`);
  const { requests } = (await response.json()) as { requests: { path: string; cancelledAt: number | null }[] };
  return requests.filter((r) => r.path === path);
}

/**
 * When Baseten (the emulator) saw the first request on `path` since `clearRequests()` cancelled, or null
 * while it has not: how a test proves a client's abort travelled through the gateway to the upstream.
 */
export async function upstreamCancelledAt(path: string): Promise<number | null> {
  return (await upstreamRequests(path))[0]?.cancelledAt ?? null;
}

/** A slow, long answer (200 chunks 50 ms apart, 10 s in all), so an abort after the first chunks lands mid-stream. */
export const SLOW_STREAM = "chunks=200; chunk-delay=50";

export async function clearRequests(): Promise<void> {
  await fetch(`${inject("emulatorUrl")}/__emulator/requests`, { method: "DELETE" });
}

/** The statuses every SDK must surface as its own error class, with Baseten's message. */
export const ERROR_STATUSES = [400, 401, 403, 404, 429, 500, 503] as const;

/** The emulator's message for each faulted status (what Baseten says, kept by the gateway). */
export const UPSTREAM_MESSAGES: Record<number, string> = {
  400: "invalid request",
  401: "invalid or missing API key",
  403: "please check the api-key you provided",
  404: "model not found",
  429: "rate limit exceeded",
  500: "internal server error",
  503: "service unavailable",
};
