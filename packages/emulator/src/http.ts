// Small Response builders shared by every route, so status, Content-Type and Content-Length are always set the same way.

const encoder = new TextEncoder();

/** A JSON body (a value, or already serialised text or bytes) with an exact Content-Length, as Baseten sends. */
export function jsonResponse(status: number, body: unknown, headers?: HeadersInit): Response {
  const bytes: Uint8Array<ArrayBuffer> =
    body instanceof Uint8Array
      ? (body as Uint8Array<ArrayBuffer>)
      : encoder.encode(typeof body === "string" ? body : JSON.stringify(body));
  const out = new Headers(headers);
  out.set("content-type", "application/json");
  out.set("content-length", String(bytes.byteLength));
  return new Response(bytes, { status, headers: out });
}

/** The documented error shape, `{"error": "<message>"}`, plus any extra fields (e.g. `retry_after`). */
export function errorResponse(
  status: number,
  message: string,
  extra?: Record<string, unknown>,
  headers?: HeadersInit,
): Response {
  return jsonResponse(status, { error: message, ...extra }, headers);
}

/** Inference without a key (an `x-api-key` alone is none): the 401 Baseten documents for a missing key. */
export function inferenceUnauthorized(): Response {
  return jsonResponse(401, '{"error":"invalid or missing API key"}\n', { vary: "Origin" });
}

/** Baseten's inference answer to a bad key and to an unknown model alike (recorded in fixtures/errors). */
export function inferenceForbidden(): Response {
  return jsonResponse(403, '{"error":"please check the api-key you provided"}\n', { vary: "Origin" });
}

/** Reads the API key from `Authorization: Bearer <key>` or the legacy `Authorization: Api-Key <key>`. */
export function apiKeyOf(headers: Headers): string | undefined {
  const match = /^(?:bearer|api-key)\s+(\S+)\s*$/i.exec(headers.get("authorization") ?? "");
  return match?.[1];
}

/** Never resolves; rejects with the signal's reason once it aborts (the "hang" fault). */
export function untilAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
}
