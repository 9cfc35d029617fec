// Names for the generated schema types, plus the shapes Baseten sends that its specs do not describe.
import type { components as inference, paths as inferencePaths } from "./generated/inference.ts";
import type { components as management } from "./generated/management.ts";

/** One row of the Model API catalog (`GET /v1/model_apis`). */
export type ModelApi = management["schemas"]["ModelAPIV1"];
/** One page of the catalog. */
export type ModelApisPage = management["schemas"]["ModelAPIsResponseV1"];
/** A rate limit on a Model API for the caller's workspace. */
export type RateLimit = management["schemas"]["RateLimitV1"];
/** The caller's workspace state for a Model API; null when not added. */
export type ModelApiOrgDetails = management["schemas"]["ModelAPIOrgDetailsV1"];

/** The body of `POST /v1/chat/completions`, Baseten's extra parameters included. */
export type ChatCompletionRequest = inference["schemas"]["ChatCompletionRequest"];
/** Token usage as Baseten reports it. */
export type Usage = inference["schemas"]["UsageInfo"];

type Schemas = inference["schemas"];

/**
 * A non-streamed chat completion, as Baseten sends it. The upstream spec types this answer with the
 * stream chunk's schema (choices with `delta`); the recorded answers carry `message`, so the type
 * is corrected here rather than in the verbatim spec.
 */
export interface ChatCompletion {
  id: string;
  object: "chat.completion";
  created: number;
  model: string;
  choices: ChatCompletionChoice[];
  usage?: Usage | null;
}

export interface ChatCompletionChoice {
  index: number;
  message: AssistantMessage;
  finish_reason: string | null;
  logprobs?: Schemas["ChatCompletionLogProbs"] | null;
  stop_reason?: number | string | null;
}

/** The model's message; reasoning models add `reasoning_content` (some name it `reasoning`). */
export interface AssistantMessage {
  role: "assistant";
  content: string | null;
  reasoning_content?: string | null;
  reasoning?: string | null;
  tool_calls?: Schemas["ToolCall"][] | null;
}

/** One streamed chunk (`data: {...}`); Baseten sends a running `usage` in every chunk. */
export interface ChatCompletionChunk {
  id: string;
  object: "chat.completion.chunk";
  created: number;
  model: string;
  choices: (Schemas["ChatCompletionResponseStreamChoice"] & { delta: { reasoning_content?: string | null } })[];
  usage?: Usage | null;
  system_fingerprint?: string | null;
  service_tier?: string | null;
}

/** A model in the inference list (`GET /v1/models`); prices are dollars per token, as strings. */
export interface InferenceModel {
  id: string;
  object: "model";
  created: number;
  owned_by: string;
  name?: string;
  description?: string;
  context_length?: number;
  max_completion_tokens?: number;
  quantization?: string;
  pricing?: {
    prompt: string;
    completion: string;
    image?: string;
    request?: string;
    input_cache_read?: string;
  };
  supported_sampling_parameters?: string[];
  supported_features?: string[];
  input_modalities?: string[];
  output_modalities?: string[];
}

/** The inference paths: the chat-completions spec, plus `GET /v1/models`, which it leaves out. */
export type InferencePaths = inferencePaths & {
  "/v1/models": {
    parameters: { query?: never; header?: never; path?: never; cookie?: never };
    get: {
      parameters: { query?: never; header?: never; path?: never; cookie?: never };
      requestBody?: never;
      responses: {
        200: {
          headers: { [name: string]: unknown };
          content: { "application/json": { object?: "list"; data: InferenceModel[] } };
        };
      };
    };
  };
};
