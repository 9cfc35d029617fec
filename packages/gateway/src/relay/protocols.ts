// What differs between the relayed protocols: error shapes, the stream's last event, usage fields.
import type { TokenCounts } from "@baseten-edge/core";

export type ProtocolName = "openai" | "openai-responses" | "anthropic";

export interface Protocol {
  name: ProtocolName;
  /** An error answer in the protocol's own shape. */
  error(status: number, message: string, code?: string): Response;
  /** The SSE event that tells the client a broken stream is not a complete answer. */
  errorEvent(message: string): string;
  /** True for the event that ends a complete stream. */
  isTerminal(event: string, data: string): boolean;
  /** A cheap test: may this event carry usage? Only those are parsed, and only at the end. */
  usageEvent(event: string, data: string): boolean;
  /** True when each usage event repeats the whole running total, so only the last one matters. */
  cumulativeUsage: boolean;
  /** Token counts found in one streamed event, merged into what was seen so far. */
  streamUsage(event: string, data: string, seen: TokenCounts | null): TokenCounts | null;
  /** Token counts of a whole (non-streamed) answer. */
  bodyUsage(body: unknown): TokenCounts | null;
}

const OPENAI_TYPES: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  404: "not_found_error",
  405: "invalid_request_error",
  413: "invalid_request_error",
  415: "invalid_request_error",
  429: "rate_limit_error",
};

const ANTHROPIC_TYPES: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  402: "billing_error",
  403: "permission_error",
  404: "not_found_error",
  405: "invalid_request_error",
  413: "request_too_large",
  415: "invalid_request_error",
  429: "rate_limit_error",
  // Baseten's 503 asks to retry later: Anthropic's SDKs know that as overloaded.
  503: "overloaded_error",
  504: "timeout_error",
  529: "overloaded_error",
};

type Json = Record<string, unknown>;
const record = (value: unknown): Json | null => (typeof value === "object" && value !== null ? (value as Json) : null);
const count = (value: unknown): number =>
  typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : 0;

/** `{"error": {message, type, param, code}}`, as the OpenAI API and SDKs expect. */
export const openai: Protocol = {
  name: "openai",
  error(status, message, code) {
    const type = OPENAI_TYPES[status] ?? "api_error";
    return Response.json({ error: { message, type, param: null, code: code ?? null } }, { status });
  },
  errorEvent(message) {
    return `data: ${JSON.stringify({ error: { message, type: "api_error", param: null, code: "upstream_stream_error" } })}\n\n`;
  },
  isTerminal(_event, data) {
    return data === "[DONE]";
  },
  usageEvent: (_event, data) => data.includes('"usage"'),
  // Baseten sends a running total in every chunk.
  cumulativeUsage: true,
  streamUsage(_event, data, seen) {
    // Baseten sends a running total in every chunk: the last one wins. Parse only chunks that carry it.
    if (!data.includes('"usage"')) return seen;
    try {
      return openaiUsage(record(JSON.parse(data))?.usage) ?? seen;
    } catch {
      return seen;
    }
  },
  bodyUsage(body) {
    return openaiUsage(record(body)?.usage);
  },
};

/**
 * The OpenAI Responses API (`/v1/responses`): OpenAI's error shape, but its streams end with a
 * `response.completed` (or `.failed` / `.incomplete`) event instead of `[DONE]`, and carry usage
 * in `response.usage`.
 */
export const openaiResponses: Protocol = {
  ...openai,
  name: "openai-responses",
  isTerminal(event, data) {
    if (data === "[DONE]") return true;
    const type = event !== "message" ? event : typeOf(data);
    return type === "response.completed" || type === "response.failed" || type === "response.incomplete";
  },
  streamUsage(_event, data, seen) {
    if (!data.includes('"usage"')) return seen;
    try {
      return openaiUsage(record(record(JSON.parse(data))?.response)?.usage) ?? seen;
    } catch {
      return seen;
    }
  },
};

function typeOf(data: string): string | null {
  try {
    const type = record(JSON.parse(data))?.type;
    return typeof type === "string" ? type : null;
  } catch {
    return null;
  }
}

function openaiUsage(usage: unknown): TokenCounts | null {
  const u = record(usage);
  if (!u) return null;
  // `prompt_tokens` (chat) / `input_tokens` (responses) include the cached ones.
  const input = count(u.prompt_tokens ?? u.input_tokens);
  const details = record(u.prompt_tokens_details ?? u.input_tokens_details);
  return {
    inputTokens: input,
    outputTokens: count(u.completion_tokens ?? u.output_tokens),
    cachedInputTokens: Math.min(input, count(details?.cached_tokens)),
  };
}

/** `{"type": "error", "error": {type, message}}`, as the Anthropic API and SDKs expect. */
export const anthropic: Protocol = {
  name: "anthropic",
  error(status, message) {
    const type = ANTHROPIC_TYPES[status] ?? "api_error";
    return Response.json({ type: "error", error: { type, message } }, { status });
  },
  errorEvent(message) {
    return `event: error\ndata: ${JSON.stringify({ type: "error", error: { type: "api_error", message } })}\n\n`;
  },
  usageEvent: (event) => event === "message_start" || event === "message_delta",
  cumulativeUsage: false,
  isTerminal(event) {
    // An upstream `error` event is a complete (failed) answer too: nothing is added after it.
    return event === "message_stop" || event === "error";
  },
  streamUsage(event, data, seen) {
    if (event !== "message_start" && event !== "message_delta") return seen;
    try {
      const parsed = record(JSON.parse(data));
      const usage = event === "message_start" ? record(record(parsed?.message)?.usage) : record(parsed?.usage);
      if (!usage) return seen;
      const counts = anthropicUsage(usage);
      if (event === "message_start" || !seen) return counts;
      // message_delta carries the output so far; input stays as message_start said.
      return { ...seen, outputTokens: counts.outputTokens || seen.outputTokens };
    } catch {
      return seen;
    }
  },
  bodyUsage(body) {
    const usage = record(record(body)?.usage);
    return usage ? anthropicUsage(usage) : null;
  },
};

/** Anthropic counts cache reads and writes apart from `input_tokens`; ours include them. */
function anthropicUsage(usage: Json): TokenCounts {
  const cached = count(usage.cache_read_input_tokens);
  return {
    inputTokens: count(usage.input_tokens) + cached + count(usage.cache_creation_input_tokens),
    outputTokens: count(usage.output_tokens),
    cachedInputTokens: cached,
  };
}
