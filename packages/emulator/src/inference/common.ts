// What the OpenAI and Anthropic routes share: request context, X-Baseten-* headers, message text, SSE answers.

import { eventStream } from "../body.ts";
import type { InferenceTarget } from "../catalog/catalog.ts";
import type { FaultSpec } from "../faults.ts";
import { errorResponse } from "../http.ts";
import { fnv1a } from "../random.ts";
import type { ReplyPlan } from "./plan.ts";

export interface InferenceContext {
  target: InferenceTarget;
  /** 37 hex digits, like Baseten's X-Baseten-Request-Id. */
  requestId: string;
  /** Milliseconds since the epoch when the request was accepted. */
  acceptedAt: number;
  seed: number;
  faults: FaultSpec;
  signal: AbortSignal | undefined;
  onCancel(): void;
  /** A streamed answer sent its last event and closed cleanly (non-streamed answers are the emulator's to log). */
  onEnd(): void;
  /** A streamed answer was cut off by the `cut-after` fault. */
  onCut(): void;
  /** Told the reply's plan once it is made: its token counts are what the request is billed. */
  onPlan?(plan: ReplyPlan): void;
}

/** Thrown by request parsers; answered as 400 `{"error": message}`. */
export class BadRequest extends Error {
  override name = "BadRequest";
}

export function badRequest(error: BadRequest): Response {
  return errorResponse(400, error.message);
}

/**
 * A chat completion the model server refuses, as the recordings show it (e.g. an empty json_schema
 * name): `{"error": {code, message, type}}`, tab-indented, with the inference headers.
 */
export function modelServerBadRequest(error: BadRequest, ctx: InferenceContext): Response {
  const body = JSON.stringify({ error: { code: 400, message: error.message, type: "Bad Request" } }, null, "\t");
  return new Response(`${body}\n`, { status: 400, headers: basetenHeaders(ctx, "application/json") });
}

/** The response headers Baseten sends on inference answers (see the recordings). */
export function basetenHeaders(ctx: InferenceContext, contentType: string): Headers {
  const modelHash = fnv1a(ctx.target.inferenceId);
  const headers = new Headers({
    "content-type": contentType,
    vary: "Origin",
    "x-baseten-accepted-at": String(ctx.acceptedAt),
    "x-baseten-model-id": modelHash.toString(36).padStart(8, "q").slice(0, 8),
    "x-baseten-model-prediction-attempts": "1",
    "x-baseten-model-version-id": fnv1a(ctx.target.inferenceId, modelHash).toString(36).padStart(7, "z").slice(0, 7),
    "x-baseten-request-id": ctx.requestId,
    "x-baseten-session-id": ctx.requestId,
  });
  if (contentType === "text/event-stream") headers.set("cache-control", "no-cache");
  return headers;
}

/** An SSE answer whose events are produced lazily, with the chunk-delay and cut-off faults applied. */
export function sseResponse(events: Iterator<string>, ctx: InferenceContext): Response {
  const body = eventStream(events, {
    delayMs: ctx.faults.chunkDelayMs ?? 0,
    cutAfter: ctx.faults.cutAfter,
    signal: ctx.signal,
    onCancel: ctx.onCancel,
    onEnd: ctx.onEnd,
    onCut: ctx.onCut,
  });
  return new Response(body, { status: 200, headers: basetenHeaders(ctx, "text/event-stream") });
}

/**
 * How deep `tool_result` blocks may nest inside one another. Real content nests them at most once; the
 * bound keeps a small hostile body (20,000 levels) from overflowing the stack and answering 500.
 */
const MAX_CONTENT_DEPTH = 32;

/**
 * The text of a message's content: a string, or the text parts of a list of parts/blocks.
 * Throws BadRequest when `tool_result` blocks nest deeper than MAX_CONTENT_DEPTH.
 */
export function textOf(content: unknown): string {
  return nestedTextOf(content, 0);
}

function nestedTextOf(content: unknown, depth: number): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  if (depth > MAX_CONTENT_DEPTH)
    throw new BadRequest(`content nests tool_result blocks more than ${MAX_CONTENT_DEPTH} deep`);
  return content
    .map((part: unknown) => {
      if (typeof part !== "object" || part === null) return "";
      const p = part as Record<string, unknown>;
      if (typeof p.text === "string") return p.text;
      if (p.type === "tool_result") return nestedTextOf(p.content, depth + 1);
      return "";
    })
    .filter(Boolean)
    .join("\n");
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Reads an optional positive integer field, or throws BadRequest naming it. */
export function positiveInt(body: Record<string, unknown>, field: string): number | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1)
    throw new BadRequest(`${field} must be a positive integer`);
  return value;
}

/** `stop` / `stop_sequences`: a string or a list of strings. */
export function stopList(value: unknown, field: string): string[] {
  if (value === undefined || value === null) return [];
  if (typeof value === "string") return [value];
  if (Array.isArray(value) && value.every((s) => typeof s === "string")) return value as string[];
  throw new BadRequest(`${field} must be a string or a list of strings`);
}
