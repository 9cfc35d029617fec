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

/** One relayed request as it goes through the steps: what it is, and what the log line will say. */
interface Call {
  route: RouteSpec;
  request: Request;
  waitUntil: WaitUntil;
  /** The client's address, charged for a never-seen key's first look-up. */
  client: string | undefined;
  started: number;
  requestId: string;
  event: GatewayEvent;
}

/** What `readAndCheck` hands on: who calls, the body to send, and the model's listed row (for its prices). */
interface Checked {
  caller: Caller;
  body: Uint8Array;
  listed: InferenceModel | undefined;
}

/** An upstream answer whose headers arrived; `release` detaches the client-abort listener. */
interface Sent {
  upstream: Response;
  upstreamAbort: AbortController;
  release: () => void;
  headers: Headers;
}

interface RelayDeps {
  auth: Authenticator;
  source: CatalogSource;
  settings: RelaySettings;
}

/**
 * The relay, as four named steps: read and check (`readAndCheck`), send (`sendUpstream`), answer
 * (`answerStream` / `answerWhole`) and account (`account`, one log event per request).
 */
export function createRelay(auth: Authenticator, source: CatalogSource, settings: RelaySettings) {
  const deps: RelayDeps = { auth, source, settings };
  return async function relay(
    route: RouteSpec,
    request: Request,
    waitUntil: WaitUntil,
    client?: string,
  ): Promise<Response> {
    const call = startCall(route, request, waitUntil, client, settings.now());
    const checked = await readAndCheck(call, deps);
    if (checked instanceof Refusal) {
      return account(call, deps, route.protocol.error(checked.status, checked.message, checked.code));
    }
    const sent = await sendUpstream(call, checked, settings);
    if (sent instanceof Response) return account(call, deps, sent);
    const { upstream } = sent;
    if (upstream.ok && upstream.body && upstream.headers.get("content-type")?.includes("text/event-stream")) {
      return account(call, deps, answerStream(call, sent, checked.listed, deps));
    }
    return answerWhole(call, sent, checked.listed, deps);
  };
}

function startCall(route: RouteSpec, request: Request, waitUntil: WaitUntil, client: string | undefined, now: number) {
  const requestId = crypto.randomUUID();
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
  return { route, request, waitUntil, client, started: now, requestId, event } satisfies Call;
}

/**
 * Account: completes the request's log event and tags the answer with its id. A stream's event is
 * logged when the stream ends (see `answerStream`); everything else is logged here.
 */
function account(call: Call, deps: RelayDeps, response: Response, extra: Partial<GatewayEvent> = {}): Response {
  const { event } = call;
  Object.assign(event, { status: response.status, ...extra });
  if (!response.body || !response.headers.get("content-type")?.includes("text/event-stream")) {
    event.total_ms = deps.settings.now() - call.started;
    deps.settings.log(event);
  }
  response.headers.set("x-request-id", call.requestId);
  return response;
}

/** Read and check: the caller, the body (bounded, JSON, with a model) and the model against the caller's list. */
async function readAndCheck(call: Call, deps: RelayDeps): Promise<Checked | Refusal> {
  try {
    const identified = await deps.auth.identify(call.request, false);
    if (!identified.ok) throw new Refusal(identified.status, identified.message);
    const { caller } = identified;
    const body = await readBody(call.request, deps.settings.maxBodyBytes).catch(uploadBroke);
    const model = checkBody(body, call.route);
    call.event.model = model;
    return await checkModel(call, deps, caller, body, model);
  } catch (thrown) {
    if (thrown instanceof Refusal) return thrown;
    throw thrown;
  }
}

/** Maps a catalog name to its inference id, and refuses a model a fresh list does not have. */
async function checkModel(call: Call, deps: RelayDeps, caller: Caller, body: Uint8Array, model: string) {
  const { source, settings } = deps;
  const { waitUntil, client } = call;
  let models = await source.cachedModels(caller);
  // A catalog name (no slash) can only be mapped with the list: wait for it rather than send a name Baseten refuses.
  if (!models && !model.includes("/"))
    models = await source.models(caller, waitUntil, client).then(
      (l) => l.entry,
      () => null,
    );
  const fresh = models !== null && settings.now() - models.fetchedAt < settings.modelListFreshMs;
  // Learn (or renew) the list for next time; until then, unknown models go to Baseten to decide.
  // A never-seen key's first look-up is charged to the client's budget (see lookup-budget.ts).
  if (!fresh) waitUntil?.(source.models(caller, waitUntil, client).catch(() => {}));
  const found = models ? findModel(models.value, model) : undefined;
  const listed = found?.model;
  if (fresh && !listed) {
    throw new Refusal(
      404,
      `The model ${JSON.stringify(model)} does not exist or is not available to this key.`,
      "model_not_found",
    );
  }
  return { caller, body: found?.renamed ? withModel(body, found.model.id) : body, listed };
}

/** The request headers that reach Baseten, with the caller's upstream key. */
function forwardedHeaders(request: Request, caller: Caller): Headers {
  const headers = new Headers();
  for (const name of FORWARDED) {
    const value = request.headers.get(name);
    if (value !== null) headers.set(name, value);
  }
  headers.set("authorization", `${caller.authorization.scheme} ${caller.authorization.apiKey}`);
  return headers;
}

/** Send: until Baseten's headers arrive, or a refusal in the route's protocol (504, 499, 502). */
async function sendUpstream(call: Call, checked: Checked, settings: RelaySettings): Promise<Sent | Response> {
  const { request, route } = call;
  const { protocol } = route;
  const headers = forwardedHeaders(request, checked.caller);
  // One controller stops the upstream whatever the reason: client gone, first-byte timeout, idle stream.
  const upstreamAbort = new AbortController();
  const onClientAbort = () => upstreamAbort.abort();
  request.signal.addEventListener("abort", onClientAbort, { once: true });
  const release = () => request.signal.removeEventListener("abort", onClientAbort);
  const firstByte = setTimeout(() => upstreamAbort.abort(new FirstByteTimeout()), settings.firstByteTimeoutMs);
  let upstream: Response;
  try {
    const url = `${settings.inferenceUrl}${route.path}`;
    upstream = await send(settings, url, headers, checked.body, upstreamAbort.signal);
  } catch (thrown) {
    release();
    if (upstreamAbort.signal.reason instanceof FirstByteTimeout) {
      return protocol.error(504, `Baseten did not answer within ${settings.firstByteTimeoutMs} ms.`);
    }
    if (request.signal.aborted) return protocol.error(499, "The client closed the request.");
    const error = thrown instanceof Error ? thrown.message : "unknown";
    settings.log({ event: "relay_upstream_error", route: route.path, error });
    return protocol.error(502, "Baseten could not be reached.");
  } finally {
    clearTimeout(firstByte);
  }
  call.event.ttfb_ms = settings.now() - call.started;
  // An upstream header goes into the log: bounded like anything else that is not ours.
  call.event.upstream_request_id = upstream.headers.get("x-baseten-request-id")?.slice(0, 200) ?? null;
  return { upstream, upstreamAbort, release, headers: relayedResponseHeaders(upstream.headers) };
}

/** Answer a stream: passed on as it comes; its usage is accounted when it ends. */
function answerStream(call: Call, sent: Sent, listed: InferenceModel | undefined, deps: RelayDeps): Response {
  const { settings } = deps;
  const { request, event } = call;
  const stream = relayStream(sent.upstream.body as ReadableStream<Uint8Array>, {
    protocol: call.route.protocol,
    idleMs: settings.idleTimeoutMs,
    abort: () => sent.upstreamAbort.abort(),
    clientGone: () => request.signal.aborted,
    onEnd: (summary: StreamSummary) => {
      sent.release();
      const finished = (async () => {
        Object.assign(event, usageFields(summary.usage, listed), {
          total_ms: settings.now() - call.started,
          stream_outcome: summary.outcome,
        });
        settings.log(event);
      })().catch(() => {}); // logging must never take the process down
      call.waitUntil?.(finished);
    },
  });
  return new Response(stream, { status: sent.upstream.status, headers: sent.headers });
}

/**
 * Answer a whole body: non-streamed answers are small JSON, read whole (still under the idle timeout
 * and the client's signal), so the cost can go in a header.
 */
async function answerWhole(
  call: Call,
  sent: Sent,
  listed: InferenceModel | undefined,
  deps: RelayDeps,
): Promise<Response> {
  const { upstream, headers } = sent;
  const { protocol, path } = call.route;
  const idle = setTimeout(() => sent.upstreamAbort.abort(), deps.settings.idleTimeoutMs);
  let bytes: ArrayBuffer;
  try {
    bytes = await upstream.arrayBuffer();
  } catch {
    return account(call, deps, protocol.error(502, "Baseten's answer broke off before it was complete."));
  } finally {
    clearTimeout(idle);
    sent.release();
  }
  if (!upstream.ok) return account(call, deps, upstreamError(protocol, path, upstream.status, bytes, headers));
  let usage: TokenCounts | null = null;
  try {
    usage = protocol.bodyUsage(JSON.parse(new TextDecoder().decode(bytes)));
  } catch {
    usage = null;
  }
  const fields = usageFields(usage, listed);
  if (typeof fields.cost_usd === "string") headers.set("x-baseten-edge-cost-usd", fields.cost_usd);
  return account(call, deps, new Response(bytes, { status: upstream.status, headers }), fields);
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
