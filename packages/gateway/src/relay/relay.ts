// The inference relay: checks a request, sends it to Baseten, and passes the answer on as it comes.
import type { FetchLike, InferenceModel, TokenCounts } from "@baseten-edge/core";
import { type FetchPolicy, retryAfterMs, sendWithRetries } from "@baseten-edge/core/internal";
import { type Authenticator, type Caller, retryAfter } from "../auth.ts";
import type { CatalogSource } from "../catalog.ts";
import { clip } from "../echo.ts";
import type { Admission, Limiter } from "../limits/enforce.ts";
import { findModel } from "../model-names.ts";
import type { GatewayEvent } from "../options.ts";
import type { Protocol } from "./protocols.ts";
import { type CheckedBody, checkBody, Refusal, readBody, uploadBroke, withModel } from "./request.ts";
import { relayedResponseHeaders } from "./response-headers.ts";
import { relayStream, type StreamSummary } from "./stream.ts";
import { upstreamError } from "./upstream-errors.ts";
import { usageFields } from "./usage.ts";

export interface RelaySettings {
  inferenceUrl: string;
  fetch: FetchLike;
  /** Largest request body accepted, in bytes. */
  maxBodyBytes: number;
  /** Longest wait for the upstream's response headers (all attempts together). */
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
  /** Gateway keys' and models' limits (limits/enforce.ts); absent: nothing is limited. */
  limiter?: Limiter | undefined;
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
  /** The request's admission by the limits, settled when the answer ends. */
  admission?: Admission | undefined;
  /** Set once the request is settled and logged (`end`). */
  ended?: boolean;
  /** Set when the relay gave up before sending anything upstream: the admission is released, not charged. */
  unsent?: boolean;
}

/** What `readAndCheck` hands on: who calls, the body to send, and the model's listed row (for its prices). */
interface Checked {
  caller: Caller;
  body: Uint8Array;
  listed: InferenceModel | undefined;
  /** The output bound the body asks for (`max_tokens` &c.), for the limits' worst case. */
  maxTokens: number | undefined;
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
  /** Core's retry loop's limits, made once. */
  policy: FetchPolicy;
}

/**
 * The relay, as four named steps: read and check (`readAndCheck`), send (`sendUpstream`), answer
 * (`answerStream` / `answerWhole`) and account (`account`, one log event per request).
 */
export function createRelay(auth: Authenticator, source: CatalogSource, settings: RelaySettings) {
  const deps: RelayDeps = { auth, source, settings, policy: retryPolicy(settings) };
  return async function relay(
    route: RouteSpec,
    request: Request,
    waitUntil: WaitUntil,
    client?: string,
  ): Promise<Response> {
    const call = startCall(route, request, waitUntil, client, settings.now());
    const checked = await readAndCheck(call, deps);
    if (checked instanceof Refusal) {
      return account(call, deps, checked.answer(route.protocol));
    }
    const admitted = await settings.limiter?.admit(call, checked);
    if (admitted instanceof Refusal) return account(call, deps, admitted.answer(route.protocol));
    call.admission = admitted ?? undefined;
    // From here the request holds its place in the limits: whatever throws, it is settled and logged.
    try {
      return await forward(call, checked, deps);
    } catch (thrown) {
      return broke(call, deps, thrown);
    }
  };
}

/** Send, then answer: a stream as it comes, anything else whole. */
async function forward(call: Call, checked: Checked, deps: RelayDeps): Promise<Response> {
  const sent = await sendUpstream(call, checked, deps);
  if (sent instanceof Response) return account(call, deps, sent);
  try {
    if (sent.upstream.ok && isStream(sent.upstream)) {
      return account(call, deps, answerStream(call, sent, checked.listed, deps), false);
    }
    return await answerWhole(call, sent, checked.listed, deps);
  } catch (thrown) {
    // Nobody will read Baseten's answer now: stop it, and stop listening for the client.
    sent.upstreamAbort.abort();
    sent.release();
    throw thrown;
  }
}

/**
 * An unexpected throw after admission (a gateway bug, or an upstream answer nothing foresaw):
 * answered in the route's protocol, settled and logged once. A 502, not a 500: Baseten may have
 * done (and billed) the work, and the limits charge a 502 its whole reservation (errs high). The
 * thrown message stays here, and only its name is logged: a message may quote a header or a key.
 */
function broke(call: Call, deps: RelayDeps, thrown: unknown): Response {
  const error = thrown instanceof Error ? thrown.name : "unknown";
  deps.settings.log({ event: "relay_internal_error", route: call.route.path, error });
  return account(call, deps, call.route.protocol.error(502, "The gateway could not relay Baseten's answer."));
}

/**
 * A fetch failure as the log names it: the error's name and the first system code on its causes
 * (`ConnectionError ECONNREFUSED`). Never its message, which may quote a URL with credentials or a header.
 */
export function failureLabel(thrown: unknown): string {
  const name = thrown instanceof Error ? thrown.name : "unknown";
  let cause: unknown = thrown;
  for (let depth = 0; depth < 4 && typeof cause === "object" && cause !== null; depth++) {
    const { code } = cause as { code?: unknown };
    if (typeof code === "string" && /^[A-Z][A-Z0-9_]{1,40}$/.test(code)) return `${name} ${code}`;
    cause = (cause as { cause?: unknown }).cause;
  }
  return name;
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
  const call: Call = { route, request, waitUntil, client, started: now, requestId, event };
  return call;
}

/**
 * Account: completes the request's log event and tags the answer with its id. A stream's event is
 * logged when the stream ends (see `answerStream`; `whole` false); everything else is logged here.
 */
function account(call: Call, deps: RelayDeps, response: Response, whole = true): Response {
  call.event.status = response.status;
  response.headers.set("x-request-id", call.requestId);
  call.admission?.decorate(response.headers);
  if (whole) {
    call.event.total_ms = deps.settings.now() - call.started;
    end(call, deps);
  }
  return response;
}

/**
 * Settles the admission and logs the event: once per request, whichever path gets here first (a
 * stream started and then given up by `broke` still ends later). Settled first: a `log` that throws
 * must not keep the key's place in the limits.
 */
function end(call: Call, deps: RelayDeps): void {
  if (call.ended) return;
  call.ended = true;
  call.admission?.settle(call.event, call.unsent);
  deps.settings.log(call.event);
}

// Media types are case-insensitive (RFC 9110): `Text/Event-Stream` is a stream too.
const isStream = (response: Response) =>
  response.body !== null && response.headers.get("content-type")?.toLowerCase().includes("text/event-stream") === true;

/** Read and check: the caller, the body (bounded, JSON, with a model) and the model against the caller's list. */
async function readAndCheck(call: Call, deps: RelayDeps): Promise<Checked | Refusal> {
  try {
    const identified = await deps.auth.identify(call.request, false, call.client);
    if (!identified.ok) throw new Refusal(identified.status, identified.message, undefined, retryAfter(identified));
    const { caller } = identified;
    const body = await readBody(call.request, deps.settings.maxBodyBytes).catch(uploadBroke);
    const found = checkBody(body, call.route);
    call.event.model = found.model;
    return { ...(await checkModel(call, deps, caller, body, found)), maxTokens: found.maxTokens };
  } catch (thrown) {
    if (thrown instanceof Refusal) return thrown;
    throw thrown;
  }
}

/** Maps a catalog name to its inference id, and refuses a model a fresh list does not have. */
async function checkModel(call: Call, deps: RelayDeps, caller: Caller, body: Uint8Array, checked: CheckedBody) {
  const { source, settings } = deps;
  const { model } = checked;
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
      `The model ${JSON.stringify(clip(model))} does not exist or is not available to this key.`,
      "model_not_found",
    );
  }
  return { caller, body: found?.renamed ? withModel(body, checked, found.model.id) : body, listed };
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
async function sendUpstream(call: Call, checked: Checked, deps: RelayDeps): Promise<Sent | Response> {
  const { request, route } = call;
  const { settings } = deps;
  const { protocol } = route;
  // A client that left while the request was read and checked gets nothing sent on its behalf.
  if (request.signal.aborted) {
    call.unsent = true;
    return clientClosed(protocol);
  }
  const headers = forwardedHeaders(request, checked.caller);
  // One controller stops the upstream whatever the reason: client gone, first-byte timeout, idle stream.
  const upstreamAbort = new AbortController();
  const onClientAbort = () => upstreamAbort.abort();
  request.signal.addEventListener("abort", onClientAbort, { once: true });
  const release = () => request.signal.removeEventListener("abort", onClientAbort);
  // One timer for every attempt together (core's loop runs without a per-attempt one: see retryPolicy).
  const firstByte = setTimeout(() => upstreamAbort.abort(new FirstByteTimeout()), settings.firstByteTimeoutMs);
  let upstream: Response;
  try {
    const url = `${settings.inferenceUrl}${route.path}`;
    let sent = 0;
    // Core's retry loop, with the relay's limits; the checked bytes go out as they are, a copy on a retry.
    upstream = await sendWithRetries(deps.policy, false, upstreamAbort.signal, (signal) => {
      const body = (sent++ === 0 ? checked.body : checked.body.slice()) as Uint8Array<ArrayBuffer>;
      return new Request(url, { method: "POST", headers, body, signal });
    });
  } catch (thrown) {
    release();
    if (upstreamAbort.signal.reason instanceof FirstByteTimeout) {
      return protocol.error(504, `Baseten did not answer within ${settings.firstByteTimeoutMs} ms.`);
    }
    if (request.signal.aborted) return clientClosed(protocol);
    settings.log({ event: "relay_upstream_error", route: route.path, error: failureLabel(thrown) });
    return protocol.error(502, "Baseten could not be reached.");
  } finally {
    clearTimeout(firstByte);
  }
  call.event.ttfb_ms = settings.now() - call.started;
  // An upstream header goes into the log: bounded like anything else that is not ours.
  call.event.upstream_request_id = upstream.headers.get("x-baseten-request-id")?.slice(0, 200) ?? null;
  return { upstream, upstreamAbort, release, headers: relayedResponseHeaders(upstream.headers) };
}

/**
 * The relay's retry limits for core's loop: only what Baseten provably did not process is sent again
 * (a refused connection; a 429 or 503 asking to wait at most `maxRetryAfterMs`); any other answer goes
 * to the client as it is. No per-attempt timer: `sendUpstream`'s first-byte timer bounds all attempts.
 */
function retryPolicy(settings: RelaySettings): FetchPolicy {
  return {
    fetch: settings.fetch,
    maxRetries: settings.retries,
    timeoutMs: Number.POSITIVE_INFINITY,
    retryWait: ({ status, headers }) => {
      const wait = status === 429 || status === 503 ? retryAfterMs(headers) : null;
      return wait !== null && wait <= settings.maxRetryAfterMs ? wait : null;
    },
  };
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
        if (call.ended) return; // given up before it was answered (see `broke`): already logged
        Object.assign(event, usageFields(summary.usage, listed), {
          total_ms: settings.now() - call.started,
          stream_outcome: summary.outcome,
        });
        end(call, deps);
      })().catch(() => {}); // logging must never take the process down
      call.waitUntil?.(finished);
      return finished;
    },
    pending: call.waitUntil,
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
  // One read of the whole body (no JavaScript per chunk), so the idle time bounds all of it.
  let late = false;
  const idle = setTimeout(() => {
    late = true;
    sent.upstreamAbort.abort();
  }, deps.settings.idleTimeoutMs);
  let bytes: ArrayBuffer;
  try {
    bytes = await upstream.arrayBuffer();
  } catch {
    if (call.request.signal.aborted) return account(call, deps, clientClosed(protocol));
    if (late) {
      const ms = deps.settings.idleTimeoutMs;
      return account(call, deps, protocol.error(504, `Baseten's answer did not arrive in full within ${ms} ms.`));
    }
    return account(call, deps, protocol.error(502, "Baseten's answer broke off before it was complete."));
  } finally {
    clearTimeout(idle);
    sent.release();
  }
  if (bodiless(upstream.status)) return account(call, deps, bodilessAnswer(protocol, upstream.status, headers));
  if (!upstream.ok) return account(call, deps, upstreamError(protocol, path, upstream.status, bytes, headers));
  let usage: TokenCounts | null = null;
  try {
    usage = protocol.bodyUsage(JSON.parse(utf8.decode(bytes)));
  } catch {
    usage = null;
  }
  Object.assign(call.event, usageFields(usage, listed));
  const cost = call.event.cost_usd;
  if (typeof cost === "string") headers.set("x-baseten-edge-cost-usd", cost);
  return account(call, deps, new Response(bytes, { status: upstream.status, headers }));
}

/** The answer (and log status) for a client that left before its answer: 499, as nginx logs it. */
const clientClosed = (protocol: Protocol) => protocol.error(499, "The client closed the request.");

/** Fetch's null body statuses (101, 103, 204, 205, 304; 1xx in general): a `Response` with a body throws. */
const bodiless = (status: number) => status < 200 || status === 204 || status === 205 || status === 304;

/**
 * The answer to Baseten's bodiless status. A 204 or 205 is a success without content: passed on as
 * it is. A 304 or 1xx cannot answer a POST that asked for nothing conditional and no protocol switch;
 * passed on, the client would take it for an answer: a 502 in the route's protocol says Baseten broke.
 */
function bodilessAnswer(protocol: Protocol, status: number, headers: Headers): Response {
  if (status === 204 || status === 205) return new Response(null, { status, headers });
  return protocol.error(502, `Baseten answered with an unexpected status ${status}.`);
}

const utf8 = new TextDecoder();

class FirstByteTimeout extends Error {}
