// createEmulator: one web-standard fetch handler serving Baseten's management and inference APIs, replay, faults and introspection.
// The parts: state.ts (options, catalog, workspaces, logs), routes.ts (the Baseten routes), admin.ts
// (/__emulator/), and here the request's steps: read, faults, replay or route, shape, finish.

import { abortableSleep as sleep } from "@baseten-edge/core/internal";
import { admin } from "./admin.ts";
import { type ReshapeOptions, reshapeBody } from "./body.ts";
import {
  FAULT_HEADER,
  type FaultSpec,
  FaultSyntaxError,
  faultResponse,
  mergeFaults,
  parseFaults,
  type QueuedFault,
} from "./faults.ts";
import { errorResponse, untilAborted } from "./http.ts";
import { EmulatedNetworkError } from "./network-error.ts";
import { createRandom, fnv1a } from "./random.ts";
import { recordedResponse } from "./replay.ts";
import type { RequestRecord } from "./request-log.ts";
import { route } from "./routes.ts";
import { createState, type EmulatorOptions, type EmulatorState } from "./state.ts";

export type { EmulatorOptions } from "./state.ts";

export interface Emulator {
  /** A drop-in `fetch`: pass it to any client. The URL's origin is ignored. */
  fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response>;
  requests: { list(): RequestRecord[]; clear(): void };
  faults: { push(fault: QueuedFault): void; clear(): void; readonly pending: number };
  /** Number of Model APIs in the management catalog. */
  readonly catalogSize: number;
}

const MAX_BODY_BYTES = 100 * 1024 * 1024;

/**
 * Creates an in-process Baseten emulator.
 * @example
 * ```ts
 * import { createEmulator } from "@baseten-edge/emulator";
 * const emulator = createEmulator({ models: 100 });
 * const res = await emulator.fetch("http://emulator/v1/model_apis?limit=5", {
 *   headers: { authorization: "Bearer emulator-key" },
 * });
 * console.log(res.status); // 200
 * ```
 */
export function createEmulator(options: EmulatorOptions = {}): Emulator {
  const state = createState(options);
  const { log, queue } = state;
  return {
    fetch: async (input, init) => {
      const request = input instanceof Request && init === undefined ? input : new Request(absolute(input), init);
      // `init.signal` itself, as fetch does: on Node the Request's own signal follows it only while
      // that Request lives, and nothing outside holds a request that hangs here.
      return handle(state, request, init?.signal ?? request.signal);
    },
    requests: { list: () => log.list(), clear: () => log.clear() },
    faults: {
      push: (fault) => queue.push(fault),
      clear: () => queue.clear(),
      get pending() {
        return queue.pending;
      },
    },
    catalogSize: state.catalog.rows.length,
  };
}

/** One request: read it, apply its faults, then answer from a recording or the routes. */
async function handle(state: EmulatorState, request: Request, signal: AbortSignal): Promise<Response> {
  const url = new URL(request.url);
  if (url.pathname.startsWith("/__emulator/")) return admin(state, request, url);
  const { tooLarge, body, record } = await readRequest(state, request, url);
  const cancelled = (): void => {
    // A stream cut by cut-after-bytes is cancelled below the cut by the emulator itself, not the client.
    if (record.networkError) return;
    record.cancelledAt ??= state.now();
  };
  const faults = faultsFor(state, request, url);
  if (faults instanceof FaultSyntaxError) {
    return finish(state, record, errorResponse(400, `${FAULT_HEADER}: ${faults.message}`));
  }
  await applyDelays(faults, signal, cancelled);
  if (faults.reset) {
    record.networkError = "reset";
    throw new EmulatedNetworkError("reset");
  }
  let response: Response;
  if (faults.status) response = faultResponse({ ...faults, status: faults.status });
  else if (tooLarge) response = errorResponse(413, "request body exceeds 100 MB");
  else {
    const recorded = state.replay.take(request.method, url.pathname + url.search, body);
    if (recorded) {
      record.replayed = true;
      response = recordedResponse(recorded);
    } else {
      const ctx = { record, signal, faults, cancelled, requestId: requestIdFor(state, ++state.counter) };
      response = await route(state, request, url, body, ctx);
    }
  }
  return finish(state, record, response, faults, signal);
}

/** Reads the body (unless it is over the limit or the method has none) and starts the log record. */
async function readRequest(state: EmulatorState, request: Request, url: URL) {
  const { text, bytes, tooLarge } = await readBody(request, MAX_BODY_BYTES);
  const record = await state.log.start(request, url, bytes, state.now());
  return { tooLarge, body: text, record };
}

interface ReadBody {
  text: string;
  /** Bytes read, or the declared Content-Length of a body refused unread. */
  bytes: number;
  /** Over `limit`: the body was not read to its end (and `text` is empty). */
  tooLarge: boolean;
}

/**
 * The body as text, counted as it is read: a declared Content-Length over `limit` is refused unread, and a
 * body without one (chunked) is abandoned as soon as the count passes `limit`, so neither is held in memory.
 */
async function readBody(request: Request, limit: number): Promise<ReadBody> {
  const declared = Number(request.headers.get("content-length") ?? 0);
  if (declared > limit) return { text: "", bytes: declared, tooLarge: true };
  if (!request.body || request.method === "GET" || request.method === "HEAD") {
    return { text: "", bytes: 0, tooLarge: false };
  }
  const reader = request.body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return { text: text + decoder.decode(), bytes, tooLarge: false };
    bytes += value.byteLength;
    if (bytes > limit) {
      await reader.cancel();
      return { text: "", bytes, tooLarge: true };
    }
    text += decoder.decode(value, { stream: true });
  }
}

/** The faults for this request: options, then the queue, then the header (a bad header is a 400). */
function faultsFor(state: EmulatorState, request: Request, url: URL): FaultSpec | FaultSyntaxError {
  const { options, queue } = state;
  const header = request.headers.get(FAULT_HEADER);
  let fromHeader: FaultSpec | undefined;
  try {
    fromHeader = header ? parseFaults(header) : undefined;
  } catch (error) {
    if (!(error instanceof FaultSyntaxError)) throw error;
    return error;
  }
  // Only a request that gets past the header takes its queued fault: a 400 must not use one up.
  const fromOptions = typeof options.faults === "function" ? options.faults(request) : options.faults;
  return mergeFaults(fromOptions, queue.take(url.pathname), fromHeader);
}

/** Latency and hang faults; a client that gives up meanwhile is recorded as cancelled. */
async function applyDelays(faults: FaultSpec, signal: AbortSignal, cancelled: () => void): Promise<void> {
  try {
    if (faults.latencyMs) await sleep(faults.latencyMs, signal);
    // A hang ends only when the client gives up.
    if (faults.hang) await untilAborted(signal);
  } catch (error) {
    cancelled();
    throw error;
  }
}

function requestIdFor(state: EmulatorState, n: number): string {
  return createRandom(fnv1a(`${state.settings.seed}:${n}`)).hex(37);
}

/**
 * Logs the status and applies the body faults. `completedAt` is set once the whole body is out: a plain
 * body now (it is already built), a reshaped one when it ends cleanly, an SSE stream by its route's onEnd.
 * A cut body logs `networkError: "cut"` and no `completedAt`.
 */
function finish(
  state: EmulatorState,
  record: RequestRecord,
  response: Response,
  faults?: FaultSpec,
  signal?: AbortSignal,
): Response {
  record.status = response.status;
  const log: BodyLog = {
    onEnd: () => {
      record.completedAt ??= state.now();
    },
    onCut: () => {
      record.networkError = "cut";
    },
    onCancel: () => {
      record.cancelledAt ??= state.now();
    },
  };
  const reshaped = faults && signal ? shape(response, faults, signal, log) : undefined;
  if (reshaped) return reshaped;
  if (!isEventStream(response)) log.onEnd();
  return response;
}

type BodyLog = Pick<ReshapeOptions, "onEnd" | "onCut" | "onCancel">;

// SSE routes apply cut-after per event themselves; every other body, and any body with cut-after-bytes, is cut
// by bytes here. Undefined: no body fault.
function shape(response: Response, faults: FaultSpec, signal: AbortSignal, log: BodyLog): Response | undefined {
  const cutAfterBytes = faults.cutAfterBytes ?? (isEventStream(response) ? undefined : faults.cutAfter);
  if (!response.body || (faults.slowBodyMs === undefined && cutAfterBytes === undefined)) return undefined;
  const body = reshapeBody(response.body, {
    sliceBytes: faults.slowBodyMs === undefined ? Number.MAX_SAFE_INTEGER : (faults.slowBodyBytes ?? 64),
    delayMs: faults.slowBodyMs ?? 0,
    cutAfterBytes,
    signal,
    ...log,
  });
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
}

function isEventStream(response: Response): boolean {
  return response.headers.get("content-type")?.startsWith("text/event-stream") ?? false;
}

function absolute(input: RequestInfo | URL): RequestInfo | URL {
  return typeof input === "string" && input.startsWith("/") ? `http://emulator.invalid${input}` : input;
}
