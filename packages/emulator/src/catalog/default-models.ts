// The ten Model APIs of Baseten's "Model APIs" guide (seed 003), with the facts each field comes from.
import type { RateLimit } from "@baseten-edge/core";

/** How a model treats reasoning: always on, only when asked, or never. */
export type ReasoningMode = "default" | "opt-in" | "none";

export interface ModelSpec {
  /** Management slug (`GET /v1/model_apis/{name}`): the inference id's tail, lowercased, dots as dashes. */
  name: string;
  /** Inference model id (`"model"` in chat requests). */
  inferenceId: string;
  displayName: string;
  description: string;
  modelFamily: string | null;
  releaseDate: string;
  contextLength: number;
  maxCompletionTokens: number;
  /**
   * Dollars per token, as decimal strings, like /v1/models `pricing` (converted to per million for the catalog);
   * null where Baseten's catalog says "Null when pricing is unavailable".
   */
  pricePerToken: { input: string | null; output: string | null };
  /** The catalog's default rate limits for this model, when they differ from {@link DEFAULT_RATE_LIMITS}. */
  rateLimits?: readonly RateLimit[];
  reasoning: ReasoningMode;
  vision: boolean;
}

/** Catalog default rate limits: the lowest documented tier (15 RPM, 100k TPM). */
export const DEFAULT_RATE_LIMITS: readonly RateLimit[] = [
  { type: "REQUEST", unit: "MINUTE", threshold: 15 },
  { type: "TOKEN", unit: "MINUTE", threshold: 100_000 },
];

/**
 * Every limit type of the management document's `LimitTypeV1`, for a model that meets them all: a concurrency
 * cap (a count; its unit is not a rate), split input/output token budgets, and an output budget of 0, which
 * `RateLimitV1.threshold` (`minimum: 0`) allows.
 */
export const ALL_LIMIT_TYPES: readonly RateLimit[] = [
  { type: "REQUEST", unit: "SECOND", threshold: 2 },
  { type: "TOKEN", unit: "MINUTE", threshold: 200_000 },
  { type: "UNCACHED_INPUT_TOKEN", unit: "MINUTE", threshold: 150_000 },
  { type: "OUTPUT_TOKEN", unit: "MINUTE", threshold: 0 },
  { type: "CONCURRENT_REQUEST", unit: "MINUTE", threshold: 4 },
];

// Where a model is in the recorded /v1/models (Warmup.yaml), its description, price, context and release date
// (from `created`) come from there. The others are not recorded: their prices and dates are plausible stand-ins,
// marked "unrecorded", and their context lengths expand the guide's "k" figures.
export const DEFAULT_MODELS: readonly ModelSpec[] = [
  {
    name: "deepseek-v3-1",
    inferenceId: "deepseek-ai/DeepSeek-V3.1",
    displayName: "DeepSeek V3.1",
    description: "Hybrid thinking model from DeepSeek with strong tool use and agentic coding.",
    modelFamily: "DEEPSEEK",
    releaseDate: "2025-08-21", // unrecorded
    contextLength: 163_840,
    maxCompletionTokens: 131_072,
    pricePerToken: { input: "0.0000005", output: "0.0000015" }, // unrecorded
    reasoning: "default",
    vision: false,
  },
  {
    name: "deepseek-v4-pro",
    inferenceId: "deepseek-ai/DeepSeek-V4-Pro",
    displayName: "DeepSeek V4 Pro",
    description:
      "A 1.6T-parameter mixture-of-experts model with 1M-token context, built for agentic workflows, complex coding, and multi-step reasoning. Achieves frontier-class performance on SWE-bench, LiveCodeBench, and tool-use benchmarks while activating only 49B parameters at inference",
    modelFamily: "DEEPSEEK",
    releaseDate: "2026-04-25",
    // The guide says 131k; the recording says 262144. The catalog follows the guide, /v1/models the recording.
    contextLength: 131_072,
    maxCompletionTokens: 131_072,
    pricePerToken: { input: "0.00000174", output: "0.00000348" },
    reasoning: "default",
    vision: false,
  },
  {
    name: "glm-4-7",
    inferenceId: "zai-org/GLM-4.7",
    displayName: "GLM 4.7",
    description:
      "Fast general-purpose LLM with extended 200K context window, superior coding and reasoning capabilities and enhanced tool use for agentic workflows.",
    modelFamily: "ZAI",
    releaseDate: "2025-12-23",
    contextLength: 200_000,
    maxCompletionTokens: 200_000,
    pricePerToken: { input: "0.0000006", output: "0.0000022" },
    reasoning: "opt-in",
    vision: false,
  },
  {
    name: "glm-5",
    inferenceId: "zai-org/GLM-5",
    displayName: "GLM 5",
    description: "General-purpose LLM from Z.ai for coding, reasoning and long-horizon agentic tasks.",
    modelFamily: "ZAI",
    releaseDate: "2026-02-11", // unrecorded
    contextLength: 202_752,
    maxCompletionTokens: 202_752,
    pricePerToken: { input: "0.00000095", output: "0.00000315" }, // unrecorded
    reasoning: "opt-in",
    vision: false,
  },
  {
    name: "glm-5-1",
    inferenceId: "zai-org/GLM-5.1",
    displayName: "GLM 5.1",
    description: "Refresh of GLM 5 with better tool calling and instruction following.",
    modelFamily: "ZAI",
    releaseDate: "2026-04-08", // unrecorded
    contextLength: 202_752,
    maxCompletionTokens: 202_752,
    pricePerToken: { input: "0.000001", output: "0.0000032" }, // unrecorded
    reasoning: "opt-in",
    vision: false,
  },
  {
    name: "kimi-k2-5",
    inferenceId: "moonshotai/Kimi-K2.5",
    displayName: "Kimi K2.5",
    description: "Multimodal agentic model from Moonshot AI with vision input and long context.",
    modelFamily: "MOONSHOT",
    releaseDate: "2026-01-27", // unrecorded
    contextLength: 262_144,
    maxCompletionTokens: 262_144,
    pricePerToken: { input: "0.0000006", output: "0.000003" }, // unrecorded
    reasoning: "opt-in",
    vision: true,
  },
  {
    name: "kimi-k2-6",
    inferenceId: "moonshotai/Kimi-K2.6",
    displayName: "Kimi K2.6",
    description:
      "State-of-the-art open-source language model purpose-built for agentic workflows and complex coding tasks. It excels at multi-step reasoning, tool use, and long-horizon problem solving",
    modelFamily: "MOONSHOT",
    releaseDate: "2026-04-20",
    contextLength: 262_000,
    maxCompletionTokens: 262_000,
    pricePerToken: { input: "0.00000095", output: "0.000004" },
    reasoning: "opt-in",
    vision: true,
  },
  {
    name: "minimax-m2-5",
    inferenceId: "MiniMaxAI/MiniMax-M2.5",
    displayName: "Minimax M2.5",
    description: "Efficient mixture-of-experts model from MiniMax tuned for coding and agent workflows.",
    modelFamily: "MINIMAX",
    releaseDate: "2026-02-12", // unrecorded
    contextLength: 204_800,
    maxCompletionTokens: 204_800,
    pricePerToken: { input: "0.0000003", output: "0.0000012" }, // unrecorded
    reasoning: "default",
    vision: false,
  },
  {
    name: "nemotron-120b-a12b",
    inferenceId: "nvidia/Nemotron-120B-A12B",
    displayName: "Nemotron Super",
    description: "NVIDIA's hybrid mixture-of-experts reasoning model for agentic and tool-use workloads.",
    modelFamily: "NVIDIA",
    releaseDate: "2026-03-11", // unrecorded
    contextLength: 202_800,
    maxCompletionTokens: 202_800,
    // Unrecorded, so the catalog shows what Baseten shows for a model without pricing: null.
    pricePerToken: { input: null, output: null },
    rateLimits: ALL_LIMIT_TYPES,
    reasoning: "default",
    vision: false,
  },
  {
    name: "gpt-oss-120b",
    inferenceId: "openai/gpt-oss-120b",
    displayName: "OpenAI GPT 120B",
    description: "Extremely capable general-purpose LLM with strong, controllable reasoning capabilities",
    modelFamily: "OPENAI",
    releaseDate: "2025-08-05",
    contextLength: 128_072,
    maxCompletionTokens: 128_072,
    pricePerToken: { input: "0.0000001", output: "0.0000005" },
    reasoning: "default",
    vision: false,
  },
];
