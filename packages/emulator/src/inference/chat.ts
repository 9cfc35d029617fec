// `POST /v1/chat/completions` in the OpenAI shape Baseten answers with, non-streamed and as SSE (framing as recorded).
import type { ChatCompletionChunk } from "@baseten-edge/core";
import type { InferenceTarget } from "../catalog/catalog.ts";
import { jsonResponse } from "../http.ts";
import { createRandom, fnv1a } from "../random.ts";
import {
  BadRequest,
  basetenHeaders,
  type InferenceContext,
  isRecord,
  positiveInt,
  sseResponse,
  stopList,
  textOf,
} from "./common.ts";
import { joinDeltas, planReply, type ReplyPlan, type ReplyRequest, type ToolChoice, type ToolSpec } from "./plan.ts";

export interface ChatOptions {
  stream: boolean;
  /** `stream_options.include_usage`, on unless turned off (Baseten's default). */
  includeUsage: boolean;
  /** `stream_options.continuous_usage_stats`: a running usage in every chunk, on by default. */
  continuousUsage: boolean;
}

const DEFAULT_MAX_TOKENS = 4096;

/** Checks the body and reduces it to a ReplyRequest; throws BadRequest with a message a client can act on. */
export function parseChatRequest(
  body: Record<string, unknown>,
  target: InferenceTarget,
): { reply: ReplyRequest; options: ChatOptions } {
  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length === 0) throw new BadRequest("messages must be a non-empty list");
  for (const [i, message] of messages.entries()) {
    if (!isRecord(message) || typeof message.role !== "string") throw new BadRequest(`messages[${i}] needs a role`);
  }
  if (body.n !== undefined && body.n !== null && body.n !== 1) throw new BadRequest("n must be 1");
  checkRanges(body);
  if (!target.vision && messages.some(hasImage))
    throw new BadRequest(
      target.inferenceId.startsWith("openai/gpt-oss")
        ? "image_url is not supported"
        : "This model does not support multimodal (image/video/audio) inputs.",
    );
  if (body.stream !== undefined && typeof body.stream !== "boolean") throw new BadRequest("stream must be a boolean");
  const streamOptions = isRecord(body.stream_options) ? body.stream_options : {};
  const maxTokens = positiveInt(body, "max_completion_tokens") ?? positiveInt(body, "max_tokens") ?? DEFAULT_MAX_TOKENS;
  const typed = messages as Array<Record<string, unknown>>;
  const lastUser = [...typed].reverse().find((m) => m.role === "user");
  return {
    reply: {
      target,
      conversation: typed.map((m) => `${String(m.role)}: ${textOf(m.content)}`).join("\n"),
      lastUserText: textOf(lastUser?.content),
      lastRole: String(typed[typed.length - 1]?.role),
      tools: parseTools(body.tools),
      toolChoice: parseToolChoice(body.tool_choice),
      format: parseFormat(body.response_format),
      maxTokens,
      stop: stopList(body.stop, "stop"),
      thinking: thinkingOf(body),
    },
    options: {
      stream: body.stream === true,
      includeUsage: streamOptions.include_usage !== false,
      continuousUsage: streamOptions.continuous_usage_stats !== false,
    },
  };
}

export function chatResponse(reply: ReplyRequest, options: ChatOptions, ctx: InferenceContext): Response {
  const plan = planReply(reply, ctx.seed, ctx.faults);
  ctx.onPlan?.(plan);
  const id = `chatcmpl-${createRandom(fnv1a(ctx.requestId)).hex(32)}`;
  const created = Math.floor(ctx.acceptedAt / 1000);
  const model = reply.target.inferenceId;
  if (options.stream) return sseResponse(chunkEvents(plan, options, { id, created, model }), ctx);

  const message: Record<string, unknown> = {};
  if (plan.toolCalls.length > 0) {
    message.tool_calls = plan.toolCalls.map((call) => ({
      id: call.id,
      type: "function",
      function: { name: call.name, arguments: call.arguments },
    }));
  } else {
    const content = joinDeltas(plan.content);
    if (content !== "") message.content = content;
  }
  message.role = "assistant";
  const reasoning = joinDeltas(plan.reasoning);
  if (reasoning !== "") message.reasoning_content = reasoning;
  return jsonResponse(
    200,
    {
      id,
      choices: [{ index: 0, message, finish_reason: plan.finishReason }],
      created,
      model,
      object: "chat.completion",
      usage: usage(plan.promptTokens, plan.completionTokens, plan.reasoningTokens),
    },
    basetenHeaders(ctx, "application/json"),
  );
}

type Delta = Record<string, unknown>;

// Key order and null fields as in the recorded chunks, so byte-level comparisons with real streams line up.
function* chunkEvents(
  plan: ReplyPlan,
  options: ChatOptions,
  meta: { id: string; created: number; model: string },
): Generator<string> {
  let completion = 0;
  let reasoning = 0;
  const running = (): unknown =>
    options.includeUsage && options.continuousUsage ? usage(plan.promptTokens, completion, reasoning) : null;
  const event = (choices: unknown[], usageValue: unknown): string =>
    `data: ${JSON.stringify({
      id: meta.id,
      choices,
      created: meta.created,
      model: meta.model,
      service_tier: null,
      system_fingerprint: null,
      object: "chat.completion.chunk",
      usage: usageValue,
    } satisfies Omit<ChatCompletionChunk, "choices" | "usage"> & { choices: unknown[]; usage: unknown })}\n\n`;
  const delta = (fields: Delta): Delta => ({
    content: null,
    function_call: null,
    tool_calls: null,
    role: null,
    refusal: null,
    ...fields,
  });

  yield event([{ index: 0, delta: delta({ role: "assistant" }) }], running());
  for (let i = 0; i < plan.reasoning.count; i++) {
    completion += plan.reasoning.tokens(i);
    reasoning += plan.reasoning.tokens(i);
    yield event([{ index: 0, delta: delta({ reasoning_content: plan.reasoning.at(i) }) }], running());
  }
  for (let i = 0; i < plan.content.count; i++) {
    completion += plan.content.tokens(i);
    yield event([{ index: 0, delta: delta({ content: plan.content.at(i) }) }], running());
  }
  for (const [index, call] of plan.toolCalls.entries()) {
    completion += 1;
    const first = { index, id: call.id, type: "function", function: { name: call.name, arguments: "" } };
    yield event([{ index: 0, delta: delta({ tool_calls: [first] }) }], running());
    for (const piece of call.pieces) {
      const next = { index, id: call.id, type: "function", function: { name: null, arguments: piece } };
      yield event([{ index: 0, delta: delta({ tool_calls: [next] }) }], running());
    }
  }
  completion = plan.completionTokens;
  yield event([{ index: 0, delta: delta({}), finish_reason: plan.finishReason }], running());
  if (options.includeUsage) yield event([], usage(plan.promptTokens, plan.completionTokens, plan.reasoningTokens));
  yield "data: [DONE]\n\n";
}

/** Usage exactly as Baseten reports it, details included. */
export function usage(prompt: number, completion: number, reasoning: number): Record<string, unknown> {
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { audio_tokens: 0, cached_tokens: 0 },
    completion_tokens_details: {
      accepted_prediction_tokens: 0,
      audio_tokens: 0,
      reasoning_tokens: reasoning,
      rejected_prediction_tokens: 0,
    },
  };
}

function parseTools(value: unknown): ToolSpec[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new BadRequest("tools must be a list");
  return value.map((tool, i) => {
    const fn = isRecord(tool) ? tool.function : undefined;
    if (!isRecord(fn) || typeof fn.name !== "string") throw new BadRequest(`tools[${i}].function.name is required`);
    return { name: fn.name, parameters: fn.parameters };
  });
}

function parseToolChoice(value: unknown): ToolChoice {
  if (value === undefined || value === null) return "auto";
  if (value === "auto" || value === "none" || value === "required") return value;
  if (isRecord(value) && isRecord(value.function) && typeof value.function.name === "string") {
    return { name: value.function.name };
  }
  throw new BadRequest(
    'tool_choice must be "auto", "none", "required" or {"type": "function", "function": {"name": ...}}',
  );
}

/** The bounds Baseten's chat-completions spec puts on sampling fields (inference.json, ChatCompletionRequest). */
function checkRanges(body: Record<string, unknown>): void {
  const number = (field: string) => (typeof body[field] === "number" ? (body[field] as number) : undefined);
  const temperature = number("temperature");
  if (temperature !== undefined && (temperature < 0 || temperature > 4))
    throw new BadRequest("temperature must be between 0 and 4");
  const topP = number("top_p");
  if (topP !== undefined && (topP <= 0 || topP > 1)) throw new BadRequest("top_p must be greater than 0 and at most 1");
  for (const field of ["max_tokens", "max_completion_tokens"]) {
    const value = number(field);
    if (value !== undefined && value > 262_144) throw new BadRequest(`${field} must be at most 262144`);
  }
  const bestOf = number("best_of");
  if (bestOf !== undefined && bestOf !== 1) throw new BadRequest("best_of must be 1");
  const stop = body.stop;
  if (stop === "" || (Array.isArray(stop) && (stop.length > 32 || stop.includes(""))))
    throw new BadRequest("stop must be non-empty strings, at most 32");
}

/** Whether a message carries an image part. */
function hasImage(message: Record<string, unknown>): boolean {
  return Array.isArray(message.content) && message.content.some((part) => isRecord(part) && part.type === "image_url");
}

function parseFormat(value: unknown): ReplyRequest["format"] {
  if (value === undefined || value === null) return { type: "text" };
  if (!isRecord(value)) throw new BadRequest("response_format must be an object");
  switch (value.type) {
    case "text":
      return { type: "text" };
    case "json_object":
      return { type: "json", schema: undefined };
    case "json_schema": {
      const spec = value.json_schema;
      if (!isRecord(spec) || !isRecord(spec.schema))
        throw new BadRequest("response_format.json_schema.schema is required");
      if (typeof spec.name !== "string" || spec.name === "")
        throw new BadRequest("Validation: `response_format.json_schema.name` cannot be empty");
      return { type: "json", schema: spec.schema };
    }
    default:
      throw new BadRequest('response_format.type must be "text", "json_object" or "json_schema"');
  }
}

// Baseten's opt-in switch is chat_template_args.enable_thinking; reasoning_effort also asks for thinking.
function thinkingOf(body: Record<string, unknown>): boolean | undefined {
  const args = body.chat_template_args;
  if (isRecord(args) && typeof args.enable_thinking === "boolean") return args.enable_thinking;
  const effort = body.reasoning_effort;
  if (typeof effort === "string") return effort !== "none";
  return undefined;
}
