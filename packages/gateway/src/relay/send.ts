// Sending a relayed request, with retries only of what Baseten provably did not process.
import { abortableSleep, neverReachedServer, retryAfterMs } from "@baseten-edge/core/internal";
import type { RelaySettings } from "./relay.ts";

/** Sends the request, retrying only what Baseten provably did not process. */
export async function send(
  settings: RelaySettings,
  url: string,
  headers: Headers,
  body: Uint8Array,
  signal: AbortSignal,
): Promise<Response> {
  for (let attempt = 0; ; attempt++) {
    const last = attempt >= settings.retries;
    let response: Response;
    try {
      // Fetch copies a sent body (Fetch standard, "extract a body"); a retry still sends its own copy
      // in case a runtime detached the first one's buffer.
      const bytes = (attempt === 0 ? body : body.slice()) as Uint8Array<ArrayBuffer>;
      response = await settings.fetch(new Request(url, { method: "POST", headers, body: bytes, signal }));
    } catch (thrown) {
      if (last || signal.aborted || !neverReachedServer(thrown)) throw thrown;
      await abortableSleep(100 * 2 ** attempt, signal);
      continue;
    }
    if (last || (response.status !== 429 && response.status !== 503)) return response;
    const wait = retryAfterMs(response.headers);
    if (wait === null || wait > settings.maxRetryAfterMs) return response;
    await response.body?.cancel().catch(() => {});
    await abortableSleep(wait, signal);
  }
}
