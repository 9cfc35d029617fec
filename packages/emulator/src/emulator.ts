// createEmulator: one web-standard fetch handler serving Baseten's management and inference APIs, replay, faults and introspection.

import { abortableSleep as sleep } from "@baseten-edge/core/internal";
import { reshapeBody } from "./body.ts";
import { buildCatalog, type InferenceTarget } from "./catalog/catalog.ts";
import {
  FAULT_HEADER,
  FaultQueue,
  type FaultSpec,
  FaultSyntaxError,
  faultResponse,
  mergeFaults,
  parseFaults,
  type QueuedFault,
} from "./faults.ts";
import { apiKeyOf, errorResponse, inferenceForbidden, jsonResponse, untilAborted } from "./http.ts";
import { chatResponse, parseChatRequest } from "./inference/chat.ts";
import { BadRequest, badRequest, type InferenceContext, isRecord } from "./inference/common.ts";
import { messagesResponse, parseMessagesRequest } from "./inference/messages.ts";
import { parseResponsesRequest, responsesError, responsesResponse } from "./inference/responses.ts";
import { getModelApi, listModelApis } from "./management.ts";
import { EmulatedNetworkError } from "./network-error.ts";
import { createRandom, fnv1a } from "./random.ts";
import { type Cassette, ReplayIndex, recordedResponse } from "./replay.ts";
import { RequestLog, type RequestRecord } from "./request-log.ts";
import { createWorkspaceDirectory, DEFAULT_WORKSPACE, type Workspace, type WorkspaceOptions } from "./workspaces.ts";

export interface EmulatorOptions {
  /** Workspaces and their API keys. Omitted: one default workspace with the key `emulator-key`. */
  workspaces?: readonly WorkspaceOptions[];
  /** Give every unknown key its own workspace, derived from the key's SHA-256 (for tenant-isolation tests). */
  acceptAnyKey?: boolean;
  /** Synthetic Model APIs added after the ten real ones (0–1,000,000). */
  models?: number;
  /** Seed for synthetic models, generated text, ids and cursors. */
  seed?: number;
  /** `invoke_url` of every catalog row (default `https://inference.baseten.co`). */
  invokeUrl?: string;
  /** Recorded interactions answered byte for byte before any other handling. */
  cassettes?: readonly Cassette[];
  /** Faults for every request (or chosen per request); the x-emulator-fault header and queued faults override them. */
  faults?: FaultSpec | ((request: Request) => FaultSpec | undefined);
  /** How many requests the log keeps (oldest dropped first); 0 turns the log off. Default 10,000. */
  maxLoggedRequests?: number;
  /** Clock, in epoch milliseconds (default Date.now). */
  now?: () => number;
}

export interface Emulator {
  /** A drop-in `fetch`: pass it to any client. The URL's origin is ignored. */
  fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response>;
  requests: { list(): RequestRecord[]; clear(): void };
  faults: { push(fault: QueuedFault): void; clear(): void; readonly pending: number };
  /** Number of Model APIs in the management catalog. */
  readonly catalogSize: number;
}

const MAX_BODY_BYTES = 100 * 1024 * 1024;
const ROUTES: Record<string, readonly string[]> = {
  "/v1/model_apis": ["GET"],
  "/v1/models": ["GET"],
  "/v1/chat/completions": ["POST"],
  "/v1/messages": ["POST"],
  "/v1/responses": ["POST"],
};

/**
 * Creates an in-process Baseten emulator.
 * @example
 * const emulator = createEmulator({ models: 100 });
 * const res = await emulator.fetch("http://emulator/v1/model_apis?limit=5", { headers: { authorization: "Bearer emulator-key" } });
 */
export function createEmulator(options: EmulatorOptions = {}): Emulator {
  const settings = validate(options);
  const catalog = buildCatalog({ syntheticCount: settings.models, seed: settings.seed, invokeUrl: settings.invokeUrl });
  const workspaces = createWorkspaceDirectory(
    options.workspaces ?? [DEFAULT_WORKSPACE],
    catalog,
    options.acceptAnyKey ?? false,
  );
  const replay = new ReplayIndex(options.cassettes ?? []);
  const log = new RequestLog(settings.maxLogged);
  const queue = new FaultQueue();
  const now = options.now ?? Date.now;
  const cursorSecret = `cursor-${settings.seed}`;
  let counter = 0;

  async function handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname.startsWith("/__emulator/")) return admin(request, url);

    const declared = Number(request.headers.get("content-length") ?? 0);
    const body =
      declared > MAX_BODY_BYTES
        ? ""
        : request.method === "GET" || request.method === "HEAD"
          ? ""
          : await request.text();
    const record = await log.start(
      request,
      url,
      declared > MAX_BODY_BYTES ? declared : new TextEncoder().encode(body).byteLength,
      now(),
    );
    const signal = request.signal;
    const cancelled = (): void => {
      record.cancelledAt ??= now();
    };

    let faults: FaultSpec;
    try {
      const header = request.headers.get(FAULT_HEADER);
      const fromOptions = typeof options.faults === "function" ? options.faults(request) : options.faults;
      faults = mergeFaults(fromOptions, queue.take(url.pathname), header ? parseFaults(header) : undefined);
    } catch (error) {
      if (!(error instanceof FaultSyntaxError)) throw error;
      return finish(record, errorResponse(400, `${FAULT_HEADER}: ${error.message}`));
    }

    try {
      if (faults.latencyMs) await sleep(faults.latencyMs, signal);
      // A hang ends only when the client gives up.
      if (faults.hang) await untilAborted(signal);
    } catch (error) {
      cancelled();
      throw error;
    }
    if (faults.reset) {
      record.networkError = "reset";
      throw new EmulatedNetworkError("reset");
    }

    let response: Response;
    if (faults.status) response = faultResponse({ ...faults, status: faults.status });
    else if (declared > MAX_BODY_BYTES) response = errorResponse(413, "request body exceeds 100 MB");
    else {
      const recorded = replay.take(request.method, url.pathname + url.search, body);
      if (recorded) {
        record.replayed = true;
        response = recordedResponse(recorded);
      } else {
        const ctx = { record, signal, faults, cancelled, requestId: requestIdFor(++counter) };
        response = await route(request, url, body, ctx);
      }
    }
    return finish(record, shape(response, faults, signal));
  }

  async function route(request: Request, url: URL, body: string, ctx: RouteContext): Promise<Response> {
    const path = url.pathname;
    const allowed = ROUTES[path] ?? (path.startsWith("/v1/model_apis/") ? ["GET"] : undefined);
    if (!allowed) return errorResponse(404, `no route for ${request.method} ${path}`);
    if (!allowed.includes(request.method))
      return errorResponse(405, `${request.method} is not allowed on ${path}`, undefined, {
        allow: allowed.join(", "),
      });

    const key = apiKeyOf(request.headers);
    const workspace = key === undefined ? undefined : await workspaces.resolve(key);
    ctx.record.workspace = workspace?.id ?? null;

    if (path.startsWith("/v1/model_apis")) {
      if (!workspace) {
        return errorResponse(
          401,
          key === undefined ? "missing API key: send Authorization: Bearer <key>" : "invalid API key",
        );
      }
      if (path === "/v1/model_apis") return listModelApis(url, workspace, catalog, cursorSecret);
      return getModelApi(decodeURIComponent(path.slice("/v1/model_apis/".length)), workspace, catalog);
    }
    // Inference refuses a bad, missing or x-api-key-only key with the same 403 the recordings show.
    if (!workspace) return inferenceForbidden();
    if (path === "/v1/models") return jsonResponse(200, catalog.modelsBody);
    return inference(path, body, workspace, ctx);
  }

  function inference(path: string, text: string, workspace: Workspace, ctx: RouteContext): Response {
    // The Responses API answers bad requests in OpenAI's shape; the older routes in Baseten's.
    const invalid = (message: string) =>
      path === "/v1/responses" ? responsesError(400, message) : errorResponse(400, message);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return invalid("request body is not valid JSON");
    }
    if (!isRecord(body)) return invalid("request body must be a JSON object");
    if (typeof body.model !== "string" || body.model === "") return invalid("model is required");
    const target = catalog.inference.get(body.model);
    if (!target) return inferenceForbidden();

    ctx.record.requestId = ctx.requestId;
    const inferenceCtx: InferenceContext = {
      target,
      requestId: ctx.requestId,
      acceptedAt: now(),
      seed: settings.seed,
      faults: ctx.faults,
      signal: ctx.signal,
      onCancel: ctx.cancelled,
      onEnd: () => {
        ctx.record.completedAt ??= now();
      },
    };
    try {
      let response: Response;
      if (path === "/v1/messages") {
        const { reply, stream } = parseMessagesRequest(body, target);
        response = messagesResponse(reply, stream, inferenceCtx);
      } else if (path === "/v1/responses") {
        const { reply, options: responses } = parseResponsesRequest(body, target);
        response = responsesResponse(reply, responses, inferenceCtx);
      } else {
        const { reply, options: chat } = parseChatRequest(body, target);
        response = chatResponse(reply, chat, inferenceCtx);
      }
      markUsed(workspace, target);
      return response;
    } catch (error) {
      if (error instanceof BadRequest) return path === "/v1/responses" ? invalid(error.message) : badRequest(error);
      throw error;
    }
  }

  function markUsed(workspace: Workspace, target: InferenceTarget): void {
    const details = target.name === undefined ? undefined : workspace.added.get(target.name);
    if (details) details.last_used_at = new Date(now()).toISOString().replace(/\.\d{3}Z$/, "Z");
  }

  async function admin(request: Request, url: URL): Promise<Response> {
    const key = `${request.method} ${url.pathname}`;
    switch (key) {
      case "GET /__emulator/requests":
        return jsonResponse(200, { requests: log.list() });
      case "DELETE /__emulator/requests":
        log.clear();
        return new Response(null, { status: 204 });
      case "POST /__emulator/faults":
        return queueFromHttp(await request.text());
      case "DELETE /__emulator/faults":
        queue.clear();
        return new Response(null, { status: 204 });
      default:
        return errorResponse(404, `no emulator route for ${key}`);
    }
  }

  function queueFromHttp(text: string): Response {
    try {
      const body: unknown = JSON.parse(text);
      if (!isRecord(body)) throw new FaultSyntaxError("body must be a JSON object");
      const fault =
        typeof body.fault === "string"
          ? parseFaults(body.fault)
          : isRecord(body.fault)
            ? (body.fault as FaultSpec)
            : undefined;
      if (!fault)
        throw new FaultSyntaxError('"fault" must be a header-style string such as "status=503" or a fault object');
      const times = body.times ?? 1;
      const path = body.path ?? "/";
      if (typeof times !== "number" || typeof path !== "string")
        throw new FaultSyntaxError('"times" must be a number and "path" a string');
      queue.push({ fault, times, path });
      return jsonResponse(201, { pending: queue.pending });
    } catch (error) {
      return errorResponse(400, `cannot queue fault: ${(error as Error).message}`);
    }
  }

  function requestIdFor(n: number): string {
    return createRandom(fnv1a(`${settings.seed}:${n}`)).hex(37);
  }

  function finish(record: RequestRecord, response: Response): Response {
    record.status = response.status;
    if (!response.headers.get("content-type")?.startsWith("text/event-stream")) record.completedAt ??= now();
    return response;
  }

  return {
    fetch: async (input, init) => {
      const request = input instanceof Request && init === undefined ? input : new Request(absolute(input), init);
      return handle(request);
    },
    requests: { list: () => log.list(), clear: () => log.clear() },
    faults: {
      push: (fault) => queue.push(fault),
      clear: () => queue.clear(),
      get pending() {
        return queue.pending;
      },
    },
    catalogSize: catalog.rows.length,
  };
}

interface RouteContext {
  record: RequestRecord;
  signal: AbortSignal;
  faults: FaultSpec;
  cancelled: () => void;
  requestId: string;
}

// SSE routes apply cut-after per event themselves; every other body is cut by bytes here.
function shape(response: Response, faults: FaultSpec, signal: AbortSignal): Response {
  const isStream = response.headers.get("content-type")?.startsWith("text/event-stream") ?? false;
  const cutAfterBytes = isStream ? undefined : faults.cutAfter;
  if (!response.body || (faults.slowBodyMs === undefined && cutAfterBytes === undefined)) return response;
  const body = reshapeBody(response.body, {
    sliceBytes: faults.slowBodyMs === undefined ? Number.MAX_SAFE_INTEGER : (faults.slowBodyBytes ?? 64),
    delayMs: faults.slowBodyMs ?? 0,
    cutAfterBytes,
    signal,
  });
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
}

function absolute(input: RequestInfo | URL): RequestInfo | URL {
  return typeof input === "string" && input.startsWith("/") ? `http://emulator.invalid${input}` : input;
}

function validate(options: EmulatorOptions): { models: number; seed: number; invokeUrl: string; maxLogged: number } {
  const models = options.models ?? 0;
  if (!Number.isInteger(models) || models < 0 || models > 1_000_000)
    throw new TypeError(`models must be a whole number from 0 to 1000000, got ${models}`);
  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed)) throw new TypeError(`seed must be an integer, got ${seed}`);
  const invokeUrl = options.invokeUrl ?? "https://inference.baseten.co";
  if (!URL.canParse(invokeUrl))
    throw new TypeError(`invokeUrl must be an absolute URL, got ${JSON.stringify(invokeUrl)}`);
  const maxLogged = options.maxLoggedRequests ?? 10_000;
  if (!Number.isInteger(maxLogged) || maxLogged < 0)
    throw new TypeError(`maxLoggedRequests must be a whole number >= 0, got ${maxLogged}`);
  return { models, seed, invokeUrl, maxLogged };
}
