// `POST /v1/responses`: OpenAI's Responses API as a stateless server answers it, whole or as named SSE events.
//
// Stateless, as Baseten documents its Responses API: nothing is stored, so `previous_response_id`
// and `item_reference` inputs (which name stored state) are refused with a 400 saying to send the
// whole conversation in `input`; `store` is accepted and every answer says `"store": false`.
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
  textOf,
} from "./common.ts";
import { joinDeltas, planReply, type ReplyPlan, type ReplyRequest, type ToolChoice, type ToolSpec } from "./plan.ts";

const DEFAULT_MAX_TOKENS = 4096;

/** What a Responses request asks for besides the reply itself: echoed back in the response object. */
export interface ResponsesOptions {
  stream: boolean;
  echo: Record<string, unknown>;
}

type Json = Record<string, unknown>;

/** An error in OpenAI's shape, which the Responses API and its SDKs use. */
export function responsesError(status: number, message: string, param: string | null = null): Response {
  const type = status === 400 ? "invalid_request_error" : "api_error";
  return jsonResponse(status, { error: { message, type, param, code: null } });
}

/** Checks the body and reduces it to a ReplyRequest; throws BadRequest with a message a client can act on. */
export function parseResponsesRequest(
  body: Json,
  target: InferenceTarget,
): { reply: ReplyRequest; options: ResponsesOptions } {
  if (body.previous_response_id !== undefined && body.previous_response_id !== null) {
    throw new BadRequest(
      "previous_response_id is not supported: this Responses API is stateless and stores nothing; send the whole conversation in `input`",
    );
  }
  if (body.stream !== undefined && body.stream !== null && typeof body.stream !== "boolean")
    throw new BadRequest("stream must be a boolean");
  const items = inputItems(body.input);
  const instructions = typeof body.instructions === "string" ? body.instructions : null;
  const last = items[items.length - 1];
  const lastUser = [...items].reverse().find((item) => item.role === "user");
  const tools = parseTools(body.tools);
  const toolChoice = parseToolChoice(body.tool_choice);
  const text = isRecord(body.text) ? body.text : {};
  const reasoning = isRecord(body.reasoning) ? body.reasoning : null;
  const maxTokens = positiveInt(body, "max_output_tokens") ?? DEFAULT_MAX_TOKENS;
  return {
    reply: {
      target,
      conversation: [
        ...(instructions ? [`system: ${instructions}`] : []),
        ...items.map((item) => `${item.role}: ${item.text}`),
      ].join("\n"),
      lastUserText: lastUser?.text ?? "",
      lastRole: last?.role ?? "user",
      tools,
      toolChoice,
      format: parseFormat(text.format),
      maxTokens,
      stop: [],
      thinking: typeof reasoning?.effort === "string" ? reasoning.effort !== "none" : undefined,
    },
    options: {
      stream: body.stream === true,
      echo: {
        instructions,
        max_output_tokens: positiveInt(body, "max_output_tokens") ?? null,
        metadata: isRecord(body.metadata) ? body.metadata : {},
        parallel_tool_calls: body.parallel_tool_calls !== false,
        reasoning: { effort: reasoning?.effort ?? null, summary: reasoning?.summary ?? null },
        temperature: typeof body.temperature === "number" ? body.temperature : 1,
        text: { format: isRecord(text.format) ? text.format : { type: "text" } },
        tool_choice: body.tool_choice ?? "auto",
        tools: Array.isArray(body.tools) ? body.tools : [],
        top_p: typeof body.top_p === "number" ? body.top_p : 1,
        truncation: typeof body.truncation === "string" ? body.truncation : "disabled",
        user: typeof body.user === "string" ? body.user : null,
      },
    },
  };
}

interface InputItem {
  role: string;
  text: string;
}

/** `input`: a string (one user message) or a list of messages, function calls and their outputs. */
function inputItems(input: unknown): InputItem[] {
  if (typeof input === "string") {
    if (input === "") throw new BadRequest("input must not be empty");
    return [{ role: "user", text: input }];
  }
  if (!Array.isArray(input) || input.length === 0)
    throw new BadRequest("input is required: a string or a non-empty list of input items");
  const items: InputItem[] = [];
  for (const [i, item] of input.entries()) {
    if (!isRecord(item)) throw new BadRequest(`input[${i}] must be an object`);
    const type = item.type ?? "message";
    if (type === "message") {
      if (typeof item.role !== "string") throw new BadRequest(`input[${i}].role is required`);
      items.push({ role: item.role === "developer" ? "system" : item.role, text: textOf(item.content) });
    } else if (type === "function_call") {
      items.push({ role: "assistant", text: `${String(item.name)}(${String(item.arguments)})` });
    } else if (type === "function_call_output") {
      items.push({ role: "tool", text: typeof item.output === "string" ? item.output : textOf(item.output) });
    } else if (type === "item_reference") {
      throw new BadRequest(
        `input[${i}] is an item_reference: this Responses API is stateless; send the item itself (store: false on the client)`,
      );
    } else if (type !== "reasoning") {
      throw new BadRequest(`input[${i}].type ${JSON.stringify(type)} is not supported`);
    }
  }
  return items;
}

function parseTools(value: unknown): ToolSpec[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new BadRequest("tools must be a list");
  return value.map((tool, i) => {
    if (!isRecord(tool) || tool.type !== "function")
      throw new BadRequest(`tools[${i}]: only function tools ({"type": "function", "name": ...}) are supported`);
    if (typeof tool.name !== "string") throw new BadRequest(`tools[${i}].name is required`);
    return { name: tool.name, parameters: tool.parameters };
  });
}

function parseToolChoice(value: unknown): ToolChoice {
  if (value === undefined || value === null) return "auto";
  if (value === "auto" || value === "none" || value === "required") return value;
  if (isRecord(value) && value.type === "function" && typeof value.name === "string") return { name: value.name };
  throw new BadRequest('tool_choice must be "auto", "none", "required" or {"type": "function", "name": ...}');
}

function parseFormat(value: unknown): ReplyRequest["format"] {
  if (value === undefined || value === null) return { type: "text" };
  if (!isRecord(value)) throw new BadRequest("text.format must be an object");
  switch (value.type) {
    case "text":
      return { type: "text" };
    case "json_object":
      return { type: "json", schema: undefined };
    case "json_schema":
      if (!isRecord(value.schema)) throw new BadRequest("text.format.schema is required for json_schema");
      return { type: "json", schema: value.schema };
    default:
      throw new BadRequest('text.format.type must be "text", "json_object" or "json_schema"');
  }
}

interface Ids {
  response: string;
  reasoning: string;
  message: string;
  calls: { item: string; call: string }[];
}

export function responsesResponse(reply: ReplyRequest, options: ResponsesOptions, ctx: InferenceContext): Response {
  const plan = planReply(reply, ctx.seed, ctx.faults);
  ctx.onPlan?.(plan);
  const random = createRandom(fnv1a(ctx.requestId));
  const ids: Ids = {
    response: `resp_${random.hex(32)}`,
    reasoning: `rs_${random.hex(32)}`,
    message: `msg_${random.hex(32)}`,
    calls: plan.toolCalls.map(() => ({ item: `fc_${random.hex(32)}`, call: `call_${random.hex(24)}` })),
  };
  const base = {
    id: ids.response,
    object: "response",
    created_at: Math.floor(ctx.acceptedAt / 1000),
    model: reply.target.inferenceId,
    previous_response_id: null,
    store: false,
    ...options.echo,
  };
  if (options.stream) return sseResponse(responseEvents(plan, ids, base), ctx);
  return jsonResponse(200, finished(base, plan, outputItems(plan, ids)), basetenHeaders(ctx, "application/json"));
}

/** The response object once the answer is complete (or cut by max_output_tokens). */
function finished(base: Json, plan: ReplyPlan, output: Json[]): Json {
  const incomplete = plan.finishReason === "length";
  return {
    ...base,
    status: incomplete ? "incomplete" : "completed",
    error: null,
    incomplete_details: incomplete ? { reason: "max_output_tokens" } : null,
    output,
    usage: {
      input_tokens: plan.promptTokens,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: plan.completionTokens,
      output_tokens_details: { reasoning_tokens: plan.reasoningTokens },
      total_tokens: plan.promptTokens + plan.completionTokens,
    },
  };
}

function reasoningItem(id: string, text: string): Json {
  return { id, type: "reasoning", summary: [], content: [{ type: "reasoning_text", text }] };
}

function messageItem(id: string, text: string, status: string): Json {
  const content = status === "in_progress" ? [] : [outputText(text)];
  return { id, type: "message", status, role: "assistant", content };
}

function outputText(text: string): Json {
  return { type: "output_text", text, annotations: [], logprobs: [] };
}

function callItem(ids: { item: string; call: string }, name: string, args: string, status: string): Json {
  return { id: ids.item, type: "function_call", status, arguments: args, call_id: ids.call, name };
}

function outputItems(plan: ReplyPlan, ids: Ids): Json[] {
  const output: Json[] = [];
  if (plan.reasoning.count > 0) output.push(reasoningItem(ids.reasoning, joinDeltas(plan.reasoning)));
  if (plan.toolCalls.length === 0) output.push(messageItem(ids.message, joinDeltas(plan.content), "completed"));
  for (const [i, call] of plan.toolCalls.entries()) {
    output.push(callItem(ids.calls[i] ?? { item: "", call: "" }, call.name, call.arguments, "completed"));
  }
  return output;
}

// OpenAI's published event order: created, in_progress, then per output item added → deltas → done, then completed.
function* responseEvents(plan: ReplyPlan, ids: Ids, base: Json): Generator<string> {
  let sequence = 0;
  const event = (type: string, data: Json): string =>
    `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: sequence++, ...data })}\n\n`;
  const pending = { ...base, status: "in_progress", error: null, incomplete_details: null, output: [], usage: null };
  yield event("response.created", { response: pending });
  yield event("response.in_progress", { response: pending });
  let index = 0;
  if (plan.reasoning.count > 0) {
    const id = ids.reasoning;
    yield event("response.output_item.added", {
      output_index: index,
      item: { id, type: "reasoning", summary: [], content: [] },
    });
    for (let i = 0; i < plan.reasoning.count; i++) {
      const delta = plan.reasoning.at(i);
      yield event("response.reasoning_text.delta", { item_id: id, output_index: index, content_index: 0, delta });
    }
    const text = joinDeltas(plan.reasoning);
    yield event("response.reasoning_text.done", { item_id: id, output_index: index, content_index: 0, text });
    yield event("response.output_item.done", { output_index: index, item: reasoningItem(id, text) });
    index++;
  }
  if (plan.toolCalls.length === 0) yield* messageEvents(plan, ids.message, index++, event);
  for (const [i, call] of plan.toolCalls.entries()) {
    const callIds = ids.calls[i] ?? { item: "", call: "" };
    const at = { item_id: callIds.item, output_index: index };
    yield event("response.output_item.added", {
      output_index: index,
      item: callItem(callIds, call.name, "", "in_progress"),
    });
    for (const piece of call.pieces) yield event("response.function_call_arguments.delta", { ...at, delta: piece });
    yield event("response.function_call_arguments.done", { ...at, name: call.name, arguments: call.arguments });
    yield event("response.output_item.done", {
      output_index: index,
      item: callItem(callIds, call.name, call.arguments, "completed"),
    });
    index++;
  }
  const done = finished(base, plan, outputItems(plan, ids));
  yield event(done.status === "completed" ? "response.completed" : "response.incomplete", { response: done });
}

function* messageEvents(
  plan: ReplyPlan,
  id: string,
  index: number,
  event: (type: string, data: Json) => string,
): Generator<string> {
  const at = { item_id: id, output_index: index, content_index: 0 };
  yield event("response.output_item.added", { output_index: index, item: messageItem(id, "", "in_progress") });
  yield event("response.content_part.added", { ...at, part: outputText("") });
  for (let i = 0; i < plan.content.count; i++) {
    yield event("response.output_text.delta", { ...at, delta: plan.content.at(i), logprobs: [] });
  }
  const text = joinDeltas(plan.content);
  yield event("response.output_text.done", { ...at, text, logprobs: [] });
  yield event("response.content_part.done", { ...at, part: outputText(text) });
  yield event("response.output_item.done", { output_index: index, item: messageItem(id, text, "completed") });
}
