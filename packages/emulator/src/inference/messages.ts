// `POST /v1/messages` in the Anthropic Messages shape, non-streamed and as named SSE events.
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

const STOP_REASONS = { stop: "end_turn", length: "max_tokens", tool_calls: "tool_use" } as const;

export function parseMessagesRequest(
  body: Record<string, unknown>,
  target: InferenceTarget,
): { reply: ReplyRequest; stream: boolean } {
  const maxTokens = positiveInt(body, "max_tokens");
  // Anthropic's API requires max_tokens; so does the emulator, as clients must send it there too.
  if (maxTokens === undefined) throw new BadRequest("max_tokens: field required");
  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length === 0) throw new BadRequest("messages must be a non-empty list");
  for (const [i, message] of messages.entries()) {
    if (!isRecord(message) || (message.role !== "user" && message.role !== "assistant")) {
      throw new BadRequest(`messages[${i}].role must be "user" or "assistant"`);
    }
  }
  if (body.stream !== undefined && typeof body.stream !== "boolean") throw new BadRequest("stream must be a boolean");
  const typed = messages as Array<Record<string, unknown>>;
  const last = typed[typed.length - 1];
  const lastIsToolResult =
    Array.isArray(last?.content) && (last.content as unknown[]).some((b) => isRecord(b) && b.type === "tool_result");
  const lastUser = [...typed].reverse().find((m) => m.role === "user");
  const thinking = isRecord(body.thinking) ? body.thinking.type === "enabled" : undefined;
  return {
    reply: {
      target,
      conversation: [
        `system: ${textOf(body.system)}`,
        ...typed.map((m) => `${String(m.role)}: ${textOf(m.content)}`),
      ].join("\n"),
      lastUserText: textOf(lastUser?.content),
      lastRole: lastIsToolResult ? "tool" : String(last?.role),
      tools: parseTools(body.tools),
      toolChoice: parseToolChoice(body.tool_choice),
      format: { type: "text" },
      maxTokens,
      stop: stopList(body.stop_sequences, "stop_sequences"),
      thinking,
    },
    stream: body.stream === true,
  };
}

export function messagesResponse(reply: ReplyRequest, stream: boolean, ctx: InferenceContext): Response {
  const plan = planReply(reply, ctx.seed, ctx.faults);
  ctx.onPlan?.(plan);
  const random = createRandom(fnv1a(ctx.requestId));
  const id = `msg_${random.hex(24)}`;
  const signature = `sig_${random.hex(16)}`;
  const toolIds = plan.toolCalls.map(() => `toolu_${random.hex(24)}`);
  const model = reply.target.inferenceId;
  const stopReason = plan.stopSequence ? "stop_sequence" : STOP_REASONS[plan.finishReason];
  const outputTokens = plan.completionTokens;
  if (stream) return sseResponse(messageEvents(plan, { id, model, signature, toolIds, stopReason }), ctx);

  const content: unknown[] = [];
  if (plan.reasoning.count > 0) content.push({ type: "thinking", thinking: joinDeltas(plan.reasoning), signature });
  if (plan.content.count > 0) content.push({ type: "text", text: joinDeltas(plan.content) });
  for (const [i, call] of plan.toolCalls.entries()) {
    content.push({ type: "tool_use", id: toolIds[i], name: call.name, input: JSON.parse(call.arguments) });
  }
  return jsonResponse(
    200,
    {
      id,
      type: "message",
      role: "assistant",
      model,
      content,
      stop_reason: stopReason,
      stop_sequence: plan.stopSequence ?? null,
      usage: {
        input_tokens: plan.promptTokens,
        output_tokens: outputTokens,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
      },
    },
    basetenHeaders(ctx, "application/json"),
  );
}

interface EventMeta {
  id: string;
  model: string;
  signature: string;
  toolIds: string[];
  stopReason: string;
}

function* messageEvents(plan: ReplyPlan, meta: EventMeta): Generator<string> {
  const event = (type: string, data: Record<string, unknown>): string =>
    `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
  yield event("message_start", {
    message: {
      id: meta.id,
      type: "message",
      role: "assistant",
      model: meta.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: {
        input_tokens: plan.promptTokens,
        output_tokens: 1,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
      },
    },
  });
  let index = 0;
  if (plan.reasoning.count > 0) {
    yield event("content_block_start", { index, content_block: { type: "thinking", thinking: "", signature: "" } });
    for (let i = 0; i < plan.reasoning.count; i++) {
      yield event("content_block_delta", { index, delta: { type: "thinking_delta", thinking: plan.reasoning.at(i) } });
    }
    yield event("content_block_delta", { index, delta: { type: "signature_delta", signature: meta.signature } });
    yield event("content_block_stop", { index });
    index++;
  }
  if (plan.content.count > 0) {
    yield event("content_block_start", { index, content_block: { type: "text", text: "" } });
    for (let i = 0; i < plan.content.count; i++) {
      yield event("content_block_delta", { index, delta: { type: "text_delta", text: plan.content.at(i) } });
    }
    yield event("content_block_stop", { index });
    index++;
  }
  for (const [i, call] of plan.toolCalls.entries()) {
    yield event("content_block_start", {
      index,
      content_block: { type: "tool_use", id: meta.toolIds[i], name: call.name, input: {} },
    });
    for (const piece of call.pieces)
      yield event("content_block_delta", { index, delta: { type: "input_json_delta", partial_json: piece } });
    yield event("content_block_stop", { index });
    index++;
  }
  yield event("message_delta", {
    delta: { stop_reason: meta.stopReason, stop_sequence: plan.stopSequence ?? null },
    usage: { output_tokens: plan.completionTokens },
  });
  yield event("message_stop", {});
}

function parseTools(value: unknown): ToolSpec[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new BadRequest("tools must be a list");
  return value.map((tool, i) => {
    if (!isRecord(tool) || typeof tool.name !== "string") throw new BadRequest(`tools[${i}].name is required`);
    return { name: tool.name, parameters: tool.input_schema };
  });
}

function parseToolChoice(value: unknown): ToolChoice {
  if (value === undefined || value === null) return "auto";
  if (!isRecord(value)) throw new BadRequest('tool_choice must be an object such as {"type": "auto"}');
  switch (value.type) {
    case "auto":
      return "auto";
    case "any":
      return "required";
    case "none":
      return "none";
    case "tool":
      if (typeof value.name === "string") return { name: value.name };
      throw new BadRequest('tool_choice {"type": "tool"} needs a name');
    default:
      throw new BadRequest('tool_choice.type must be "auto", "any", "tool" or "none"');
  }
}
