// The inference relay: checks a request, sends it to Baseten, and passes the answer on as it comes.
import { estimateCost, type FetchLike, type InferenceModel, type TokenCounts } from "@baseten-edge/core";
import { abortableSleep, neverReachedServer, retryAfterMs } from "@baseten-edge/core/internal";
import type { Authenticator, Caller } from "../auth.ts";
import type { CatalogSource } from "../catalog.ts";
import { findModel } from "../model-names.ts";
import type { GatewayEvent } from "../options.ts";
import { BodyRejected, type ScannedBody, scanJsonBody } from "./limits.ts";
import type { Protocol } from "./protocols.ts";
import { relayedResponseHeaders } from "./response-headers.ts";
import { relayStream, type StreamSummary } from "./stream.ts";
import { upstreamError } from "./upstream-errors.ts";

export interface RelaySettings {
  inferenceUrl: string;
  fetch: FetchLike;
  /** Largest request body accepted, in bytes. */
  maxBodyBytes: number;
  /** Longest wait for the upstream's response headers. */
  firstByteTimeoutMs: number;
  /** Longest wait between two chunks of a streamed answer. */
  idleTimeoutMs: number;
  /** Retries of requests the upstream provably did not process. */
  retries: number;
  /** A 429/503 asking to wait longer than this goes to the client instead of being retried. */
  maxRetryAfterMs: number;
  /** A cached model list older than this is refreshed, and not trusted to refuse a model. */
  modelListFreshMs: number;
  now: () => number;
  log: (event: GatewayEvent) => void;
}

export interface RouteSpec {
  path: "/v1/chat/completions" | "/v1/messages" | "/v1/messages/count_tokens" | "/v1/responses";
  protocol: Protocol;
  /** Fields the body must have besides `model`, each an array. */
  arrays: readonly string[];
}

/** Request headers that reach Baseten; everything else (cookies, cf-*, x-forwarded-*, host…) stays here. */
const FORWARDED = ["content-type", "accept", "user-agent", "x-session-affinity", "anthropic-version", "anthropic-beta"];
type WaitUntil = ((promise: Promise<unknown>) => void) | undefined;

class Refusal extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

export function createRelay(auth: Authenticator, source: CatalogSource, settings: RelaySettings) {
  const { now, log } = settings;

  return async function relay(
    route: RouteSpec,
    request: Request,
    waitUntil: WaitUntil,
    client?: string,
  ): Promise<Response> {
    const started = now();
    const requestId = crypto.randomUUID();
    const { protocol } = route;
    const event: GatewayEvent = {
      event: "request",
      route: route.path,
      model: null,
      status: 0,
      input_tokens: null,
      cached_tokens: null,
      output_tokens: null,
      cost_usd: null,
      ttfb_ms: null,
      total_ms: null,
      request_id: requestId,
      upstream_request_id: null,
    };
    const done = (response: Response, extra: Partial<GatewayEvent> = {}): Response => {
      Object.assign(event, { status: response.status, ...extra });
      if (!response.body || !response.headers.get("content-type")?.includes("text/event-stream")) {
        event.total_ms = now() - started;
        log(event);
      }
      response.headers.set("x-request-id", requestId);
      return response;
    };

    let body: Uint8Array;
    let model: string;
    let caller: Caller;
    let listed: InferenceModel | undefined; // the model's row in the cached list, for its prices
    try {
      const identified = await auth.identify(request, false);
      if (!identified.ok) throw new Refusal(identified.status, identified.message);
      caller = identified.caller;
      body = await readBody(request, settings.maxBodyBytes).catch(uploadBroke);
      model = checkBody(body, route);
      event.model = model;
      let models = await source.cachedModels(caller);
      // A catalog name (no slash) can only be mapped with the list: wait for it rather than send a name Baseten refuses.
      if (!models && !model.includes("/"))
        models = await source.models(caller, waitUntil, client).then(
          (l) => l.entry,
          () => null,
        );
      const fresh = models !== null && now() - models.fetchedAt < settings.modelListFreshMs;
      // Learn (or renew) the list for next time; until then, unknown models go to Baseten to decide.
      // A never-seen key's first look-up is charged to the client's budget (see lookup-budget.ts).
      if (!fresh) waitUntil?.(source.models(caller, waitUntil, client).catch(() => {}));
      const found = models ? findModel(models.value, model) : undefined;
      listed = found?.model;
      if (found?.renamed) body = withModel(body, found.model.id);
      if (fresh && !listed) {
        throw new Refusal(
          404,
          `The model ${JSON.stringify(model)} does not exist or is not available to this key.`,
          "model_not_found",
        );
      }
    } catch (thrown) {
      if (thrown instanceof Refusal) return done(protocol.error(thrown.status, thrown.message, thrown.code));
      throw thrown;
    }

    const headers = new Headers();
    for (const name of FORWARDED) {
      const value = request.headers.get(name);
      if (value !== null) headers.set(name, value);
    }
    headers.set("authorization", `${caller.authorization.scheme} ${caller.authorization.apiKey}`);

    // One controller stops the upstream whatever the reason: client gone, first-byte timeout, idle stream.
    const upstreamAbort = new AbortController();
    const onClientAbort = () => upstreamAbort.abort();
    request.signal.addEventListener("abort", onClientAbort, { once: true });
    const firstByte = setTimeout(() => upstreamAbort.abort(new FirstByteTimeout()), settings.firstByteTimeoutMs);

    let upstream: Response;
    try {
      upstream = await send(settings, `${settings.inferenceUrl}${route.path}`, headers, body, upstreamAbort.signal);
    } catch (thrown) {
      request.signal.removeEventListener("abort", onClientAbort);
      if (upstreamAbort.signal.reason instanceof FirstByteTimeout) {
        return done(protocol.error(504, `Baseten did not answer within ${settings.firstByteTimeoutMs} ms.`));
      }
      if (request.signal.aborted) return done(protocol.error(499, "The client closed the request."));
      log({
        event: "relay_upstream_error",
        route: route.path,
        error: thrown instanceof Error ? thrown.message : "unknown",
      });
      return done(protocol.error(502, "Baseten could not be reached."));
    } finally {
      clearTimeout(firstByte);
    }
    const ttfb = now() - started;
    event.ttfb_ms = ttfb;
    // An upstream header goes into the log: bounded like anything else that is not ours.
    event.upstream_request_id = upstream.headers.get("x-baseten-request-id")?.slice(0, 200) ?? null;

    const answerHeaders = relayedResponseHeaders(upstream.headers);

    if (upstream.ok && upstream.body && upstream.headers.get("content-type")?.includes("text/event-stream")) {
      const stream = relayStream(upstream.body, {
        protocol,
        idleMs: settings.idleTimeoutMs,
        abort: () => upstreamAbort.abort(),
        clientGone: () => request.signal.aborted,
        onEnd: (summary: StreamSummary) => {
          request.signal.removeEventListener("abort", onClientAbort);
          const finished = (async () => {
            Object.assign(event, usageFields(summary.usage, listed), {
              total_ms: now() - started,
              stream_outcome: summary.outcome,
            });
            log(event);
          })().catch(() => {}); // logging must never take the process down
          waitUntil?.(finished);
        },
      });
      return done(new Response(stream, { status: upstream.status, headers: answerHeaders }));
    }

    // Non-streamed answers are small JSON: read whole (still under the idle timeout and the
    // client's signal), so the cost can go in a header.
    const idle = setTimeout(() => upstreamAbort.abort(), settings.idleTimeoutMs);
    let bytes: ArrayBuffer;
    try {
      bytes = await upstream.arrayBuffer();
    } catch {
      return done(protocol.error(502, "Baseten's answer broke off before it was complete."));
    } finally {
      clearTimeout(idle);
      request.signal.removeEventListener("abort", onClientAbort);
    }
    if (!upstream.ok) return done(upstreamError(protocol, route.path, upstream.status, bytes, answerHeaders));
    let usage: TokenCounts | null = null;
    try {
      usage = upstream.ok ? protocol.bodyUsage(JSON.parse(new TextDecoder().decode(bytes))) : null;
    } catch {
      usage = null;
    }
    const fields = usageFields(usage, listed);
    if (typeof fields.cost_usd === "string") answerHeaders.set("x-baseten-edge-cost-usd", fields.cost_usd);
    return done(new Response(bytes, { status: upstream.status, headers: answerHeaders }), fields);
  };
}

class FirstByteTimeout extends Error {}

/** Sends the request, retrying only what Baseten provably did not process. */
async function send(
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

/**
 * A body that stops arriving (the client closed the connection mid-upload) is the client's doing:
 * answered and logged as 499, like a client that leaves while Baseten thinks, not as a gateway error.
 */
function uploadBroke(thrown: unknown): never {
  if (thrown instanceof Refusal) throw thrown;
  throw new Refusal(499, "The client closed the request before its body arrived.", "client_closed_request");
}

/** Reads the body up to `limit` bytes; a larger one is refused without being read to the end. */
async function readBody(request: Request, limit: number): Promise<Uint8Array> {
  const type = request.headers.get("content-type") ?? "";
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw new Refusal(415, "Send the request body as JSON, with `Content-Type: application/json`.");
  }
  const declared = Number(request.headers.get("content-length") ?? Number.NaN);
  const tooLarge = () => new Refusal(413, `The request body is larger than ${limit} bytes.`);
  if (declared > limit) throw tooLarge();
  if (!request.body) throw new Refusal(400, "The request has no body.");
  const reader = request.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    parts.push(value);
  }
  // One chunk (a body handed over whole, as in-process callers and small uploads do) is used as it
  // is: copying 10 MB again costs milliseconds and garbage.
  if (parts.length === 1) return parts[0] as Uint8Array;
  const body = new Uint8Array(size);
  let offset = 0;
  for (const part of parts) {
    body.set(part, offset);
    offset += part.byteLength;
  }
  return body;
}

/** Checks the JSON body's shape without parsing it whole (see limits.ts) and returns its model. */
function checkBody(bytes: Uint8Array, route: RouteSpec): string {
  let scanned: ScannedBody;
  try {
    scanned = scanJsonBody(bytes, route.arrays);
  } catch (thrown) {
    if (thrown instanceof BodyRejected) throw new Refusal(thrown.status, thrown.message);
    throw thrown;
  }
  const { model } = scanned;
  if (model === undefined || model.trim() === "")
    throw new Refusal(400, '`model` is required: a model id such as "openai/gpt-oss-120b".');
  for (const name of route.arrays) {
    if (scanned.kinds.get(name) !== "array") throw new Refusal(400, `\`${name}\` is required and must be an array.`);
  }
  return model;
}

/**
 * The body with `model` set to the inference id a catalog name stands for (the only rewrite the relay
 * makes). Parsing whole is safe here: the body already passed scanJsonBody's depth and width bounds.
 */
function withModel(bytes: Uint8Array, id: string): Uint8Array {
  const fields = JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
  return new TextEncoder().encode(JSON.stringify({ ...fields, model: id }));
}

/**
 * Log fields for usage and exact cost. `cost_status` says whether the cost is known: a model listed
 * without prices (or with counts that contradict each other) logs "unknown" and a null cost, never zero.
 */
function usageFields(usage: TokenCounts | null, model: InferenceModel | undefined): Partial<GatewayEvent> {
  if (!usage) return {};
  const fields: Partial<GatewayEvent> = {
    input_tokens: usage.inputTokens,
    cached_tokens: usage.cachedInputTokens ?? 0,
    output_tokens: usage.outputTokens,
    cost_usd: null,
    cost_status: "unknown",
  };
  if (model) {
    try {
      fields.cost_usd = estimateCost(model, usage).totalUsd;
    } catch {
      // Counts the upstream reported inconsistently (cached > input): log tokens, not a wrong cost.
    }
  }
  if (fields.cost_usd !== null) fields.cost_status = "known";
  return fields;
}
