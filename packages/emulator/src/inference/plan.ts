// Decides what an emulated model says: reasoning, text or JSON, tool calls, finish reason and token counts, all from the request.
import type { InferenceTarget } from "../catalog/catalog.ts";
import type { FaultSpec } from "../faults.ts";
import { createRandom, fnv1a, type Random } from "../random.ts";
import { valueForSchema } from "./json-value.ts";

export interface ToolSpec {
  name: string;
  parameters: unknown;
}

export type ToolChoice = "auto" | "none" | "required" | { name: string };

/** A chat request reduced to what shapes the answer; both the OpenAI and the Anthropic routes build one. */
export interface ReplyRequest {
  target: InferenceTarget;
  /** Every message, serialised: the hash input and the prompt-token count. */
  conversation: string;
  lastUserText: string;
  /** Role of the last message; after a tool result the model answers in text. */
  lastRole: string;
  tools: ToolSpec[];
  toolChoice: ToolChoice;
  format: { type: "text" } | { type: "json"; schema: unknown };
  maxTokens: number;
  stop: string[];
  /** An explicit request to think (true) or not (false); undefined leaves the model's default. */
  thinking: boolean | undefined;
}

/** A lazy list of text deltas, so a 100 MB stream is never built up front. */
export interface Deltas {
  readonly count: number;
  at(index: number): string;
  tokens(index: number): number;
}

export interface PlannedToolCall {
  id: string;
  name: string;
  arguments: string;
  /** The arguments as streamed, piece by piece. */
  pieces: string[];
}

export interface ReplyPlan {
  reasoning: Deltas;
  content: Deltas;
  toolCalls: PlannedToolCall[];
  finishReason: "stop" | "length" | "tool_calls";
  /** The stop sequence that ended the text, if one did. */
  stopSequence: string | undefined;
  promptTokens: number;
  reasoningTokens: number;
  completionTokens: number;
}

const WORDS = [
  "the",
  "model",
  "answers",
  "with",
  "a",
  "short",
  "clear",
  "reply",
  "about",
  "your",
  "question",
  "and",
  "keeps",
  "it",
  "simple",
  "here",
  "is",
  "what",
  "matters",
  "most",
  "first",
  "then",
  "next",
  "step",
  "data",
  "shows",
  "that",
  "edge",
  "requests",
  "stream",
  "quickly",
  "while",
  "tokens",
  "arrive",
  "in",
  "order",
  "each",
  "chunk",
  "carries",
  "usage",
  "so",
  "clients",
  "can",
  "count",
  "cost",
  "as",
  "they",
  "go",
  "overall",
  "this",
  "works",
  "well",
  "today",
] as const;
const FILLER = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore ";

export function planReply(request: ReplyRequest, seed: number, faults: FaultSpec): ReplyPlan {
  const random = createRandom(
    fnv1a(`${request.target.inferenceId}\n${request.conversation}`, seed >>> 0 || 0x811c9dc5),
  );
  const promptTokens = Math.max(1, Math.ceil(request.conversation.length / 4));

  if (faults.chunks !== undefined || faults.chunkBytes !== undefined) {
    const content = fillerDeltas(faults.chunks ?? 64, faults.chunkBytes ?? 16);
    const tokens = content.count * content.tokens(0);
    return {
      reasoning: wordDeltas([]),
      content,
      toolCalls: [],
      finishReason: "stop",
      stopSequence: undefined,
      promptTokens,
      reasoningTokens: 0,
      completionTokens: tokens,
    };
  }

  let budget = request.maxTokens;
  const reasoningWords = thinks(request) ? splitWords(reasoningText(request, random)).slice(0, budget) : [];
  budget -= reasoningWords.length;
  const reasoningTokens = reasoningWords.length;

  const tool = chooseTool(request);
  if (tool && budget > 0) {
    const args = JSON.stringify(valueForSchema(tool.parameters ?? {}, random, hints(request)));
    const pieces = args.match(/.{1,6}/gs) ?? [args];
    const call = { id: `chatcmpl-tool-${random.hex(32)}`, name: tool.name, arguments: args, pieces };
    return {
      reasoning: wordDeltas(reasoningWords),
      content: wordDeltas([]),
      toolCalls: [call],
      finishReason: "tool_calls",
      stopSequence: undefined,
      promptTokens,
      reasoningTokens,
      completionTokens: reasoningTokens + pieces.length,
    };
  }

  let text =
    request.format.type === "json" ? jsonText(request.format.schema, request, random) : sentence(random, 12, 30);
  let stopSequence: string | undefined;
  for (const stop of request.stop) {
    const at = stop === "" ? -1 : text.indexOf(stop);
    if (at >= 0) {
      text = text.slice(0, at);
      stopSequence = stop;
    }
  }
  const words = splitWords(text);
  const kept = words.slice(0, Math.max(budget, 0));
  const truncated = kept.length < words.length || (budget <= 0 && words.length > 0);
  return {
    reasoning: wordDeltas(reasoningWords),
    content: wordDeltas(kept),
    toolCalls: [],
    finishReason: truncated ? "length" : "stop",
    stopSequence: truncated ? undefined : stopSequence,
    promptTokens,
    reasoningTokens,
    completionTokens: reasoningTokens + kept.length,
  };
}

function thinks(request: ReplyRequest): boolean {
  if (request.target.reasoning === "none") return false;
  if (request.thinking !== undefined) return request.thinking;
  return request.target.reasoning === "default";
}

function chooseTool(request: ReplyRequest): ToolSpec | undefined {
  const { tools, toolChoice } = request;
  if (tools.length === 0 || toolChoice === "none") return undefined;
  if (typeof toolChoice === "object") return tools.find((t) => t.name === toolChoice.name);
  // After a tool result, "auto" lets the model answer; "required" still forces a call.
  if (toolChoice === "auto" && request.lastRole === "tool") return undefined;
  const text = request.lastUserText.toLowerCase();
  return tools.find((t) => text.includes(t.name.toLowerCase())) ?? tools[0];
}

function hints(request: ReplyRequest): { numbers: number[]; words: readonly string[] } {
  const numbers = (request.lastUserText.match(/-?\d+(?:\.\d+)?/g) ?? []).map(Number);
  return { numbers, words: WORDS };
}

function jsonText(schema: unknown, request: ReplyRequest, random: Random): string {
  const value =
    schema === undefined ? { answer: sentence(random, 4, 10) } : valueForSchema(schema, random, hints(request));
  return JSON.stringify(value, null, 2);
}

function reasoningText(request: ReplyRequest, random: Random): string {
  const topic = request.lastUserText.split(/\s+/).filter(Boolean).slice(0, 6).join(" ");
  return `The user asks: "${topic}". ${sentence(random, 10, 24)}`;
}

function sentence(random: Random, min: number, max: number): string {
  const count = random.int(min, max);
  const words: string[] = Array.from({ length: count }, () => random.pick(WORDS));
  const first = words[0] ?? "ok";
  words[0] = first.charAt(0).toUpperCase() + first.slice(1);
  return `${words.join(" ")}.`;
}

// Each delta is one word with its leading whitespace, so the deltas join back to the exact text.
function splitWords(text: string): string[] {
  return text.match(/\s*\S+|\s+$/g) ?? [];
}

/** The deltas joined back into the full text. */
export function joinDeltas(deltas: Deltas): string {
  let out = "";
  for (let i = 0; i < deltas.count; i++) out += deltas.at(i);
  return out;
}

function wordDeltas(words: readonly string[]): Deltas {
  return { count: words.length, at: (i) => words[i] ?? "", tokens: () => 1 };
}

function fillerDeltas(count: number, bytes: number): Deltas {
  const text = FILLER.repeat(Math.ceil(bytes / FILLER.length)).slice(0, bytes);
  const tokens = Math.max(1, Math.ceil(bytes / 4));
  return { count, at: () => text, tokens: () => tokens };
}
