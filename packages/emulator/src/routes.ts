// The emulated Baseten routes: the management API (catalog, usage, billing), the model list and inference (chat, messages, responses).
import type { InferenceTarget } from "./catalog/catalog.ts";
import { apiKeyOf, errorResponse, inferenceForbidden, inferenceUnauthorized, jsonResponse } from "./http.ts";
import { chatResponse, parseChatRequest } from "./inference/chat.ts";
import { BadRequest, badRequest, type InferenceContext, isRecord, modelServerBadRequest } from "./inference/common.ts";
import { messagesResponse, parseMessagesRequest } from "./inference/messages.ts";
import { parseResponsesRequest, responsesError, responsesResponse } from "./inference/responses.ts";
import { getModelApi, listModelApis } from "./management.ts";
import type { EmulatorState, RouteContext } from "./state.ts";
import { modelApisCosts, modelApisUsage } from "./usage.ts";
import type { Workspace } from "./workspaces.ts";

const ROUTES: Record<string, readonly string[]> = {
  "/v1/model_apis": ["GET"],
  "/v1/model_apis/usage": ["GET"],
  "/v1/billing/model_apis": ["GET"],
  "/v1/models": ["GET"],
  "/v1/chat/completions": ["POST"],
  "/v1/messages": ["POST"],
  "/v1/responses": ["POST"],
};

export async function route(
  state: EmulatorState,
  request: Request,
  url: URL,
  body: string,
  ctx: RouteContext,
): Promise<Response> {
  const { catalog, workspaces } = state;
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

  if (path.startsWith("/v1/model_apis") || path === "/v1/billing/model_apis") {
    if (!workspace) {
      return errorResponse(
        401,
        key === undefined ? "missing API key: send Authorization: Bearer <key>" : "invalid API key",
      );
    }
    if (path === "/v1/model_apis") return listModelApis(url, workspace, catalog, state.cursorSecret);
    if (path === "/v1/model_apis/usage") return modelApisUsage(state, url, workspace);
    if (path === "/v1/billing/model_apis") return modelApisCosts(state, url, workspace);
    return getModelApi(modelApiName(path.slice("/v1/model_apis/".length)), workspace, catalog);
  }
  // Inference refuses a bad key with the 403 the recordings show; no key at all (an x-api-key alone
  // is none) gets the 401 Baseten documents for a missing key, which no recording contradicts.
  if (key === undefined) return inferenceUnauthorized();
  if (!workspace) return inferenceForbidden();
  if (path === "/v1/models") return jsonResponse(200, catalog.modelsBody);
  return inference(state, path, body, workspace, ctx);
}

// A malformed escape (`%E0%A4%A`) names no Model API: it gets the same 404 as any unknown name, not a crash.
function modelApiName(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

function inference(
  state: EmulatorState,
  path: string,
  text: string,
  workspace: Workspace,
  ctx: RouteContext,
): Response {
  const { catalog, now } = state;
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
    seed: state.settings.seed,
    faults: ctx.faults,
    signal: ctx.signal,
    onCancel: ctx.cancelled,
    onEnd: () => {
      ctx.record.completedAt ??= now();
    },
    onCut: () => {
      ctx.record.networkError = "cut";
    },
    onPlan: (plan) => {
      ctx.record.model = target.inferenceId;
      ctx.record.usage = { inputTokens: plan.promptTokens, cachedInputTokens: 0, outputTokens: plan.completionTokens };
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
    markUsed(workspace, target, now);
    return response;
  } catch (error) {
    if (!(error instanceof BadRequest)) throw error;
    if (path === "/v1/responses") return invalid(error.message);
    return path === "/v1/chat/completions" ? modelServerBadRequest(error, inferenceCtx) : badRequest(error);
  }
}

function markUsed(workspace: Workspace, target: InferenceTarget, now: () => number): void {
  const details = target.name === undefined ? undefined : workspace.added.get(target.name);
  if (details) details.last_used_at = new Date(now()).toISOString().replace(/\.\d{3}Z$/, "Z");
}
