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
      // Each attempt sends its own copy: a runtime may detach the buffer a sent body came from.
      response = await settings.fetch(new Request(url, { method: "POST", headers, body: body.slice(), signal }));
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
