// What a relayed request counts for: its worst case, reserved at admission, and its real usage, settled
// when the answer ends. Prices are the listed model's (core's exact `estimateCost`), in nano-dollars.
import { estimateCost, type InferenceModel, type TokenCounts } from "@baseten-edge/core";
import { type Charge, usdToNano } from "./ledger.ts";

/** Baseten's `max_tokens` when a request sets none (its chat-completions default). */
export const DEFAULT_MAX_TOKENS = 4096;
/** A bound on any single request's token counts, so a hostile `max_tokens: 1e308` stays an integer. */
const MAX_TOKENS_EVER = 10_000_000;

export interface Reservation {
  charge: Charge;
  /** False when the model's price is unknown (not listed, or listed without a price): cost cannot be bounded. */
  priced: boolean;
}

/**
 * The most a request can cost. Input tokens: at most one per byte of the body (every token is at
 * least one byte of prompt text; an image sent by URL is the exception — a few bytes of URL can be
 * many image tokens — see the README), and at most the model's context length. Output: `max_tokens`
 * (or Baseten's default 4096), at most the model's `max_completion_tokens`.
 *
 * The rate buckets (tokens per minute) are charged a lighter estimate — a quarter of the body's
 * bytes (OpenAI's rule of thumb for English text) plus the output bound — corrected at settlement;
 * spend is reserved at the true worst case.
 */
export function worstCase(
  model: InferenceModel | undefined,
  bodyBytes: number,
  maxTokens: number | undefined,
): Reservation {
  const bound = (n: number | undefined) => (n !== undefined && Number.isFinite(n) && n >= 0 ? n : MAX_TOKENS_EVER);
  const input = Math.min(bodyBytes, bound(model?.context_length), MAX_TOKENS_EVER);
  const output = Math.min(maxTokens ?? DEFAULT_MAX_TOKENS, bound(model?.max_completion_tokens), MAX_TOKENS_EVER);
  const estimatedInput = Math.min(input, Math.ceil(bodyBytes / 4));
  const cost = model ? estimateCost(model, { inputTokens: input, outputTokens: output }).totalUsd : null;
  return {
    charge: {
      requests: 1,
      tokens: estimatedInput + output,
      inputTokens: estimatedInput,
      outputTokens: output,
      nano: cost === null ? 0 : usdToNano(cost),
    },
    priced: cost !== null,
  };
}

/**
 * What a request really used, from the usage Baseten reported. `inputTokens` are the uncached ones
 * (Baseten's UNCACHED_INPUT_TOKEN); an unknown price costs 0 here (a key with a spend cap is never
 * admitted to such a model, see enforce.ts).
 */
export function actualCharge(model: InferenceModel | undefined, usage: TokenCounts): Charge {
  const cached = Math.min(usage.cachedInputTokens ?? 0, usage.inputTokens);
  let nano = 0;
  if (model) {
    try {
      const cost = estimateCost(model, { ...usage, cachedInputTokens: cached }).totalUsd;
      nano = cost === null ? 0 : usdToNano(cost);
    } catch {
      nano = 0; // counts that contradict each other: the reservation's settlement still counts tokens
    }
  }
  return {
    requests: 1,
    tokens: usage.inputTokens + usage.outputTokens,
    inputTokens: usage.inputTokens - cached,
    outputTokens: usage.outputTokens,
    nano,
  };
}

/** A request Baseten answered with an error: counted as a request, no tokens, no spend. */
export const ERROR_CHARGE: Charge = { requests: 1, tokens: 0, inputTokens: 0, outputTokens: 0, nano: 0 };

/** Nothing at all: a reservation released (the model's limits refused after the key admitted). */
export const NO_CHARGE: Charge = { requests: 0, tokens: 0, inputTokens: 0, outputTokens: 0, nano: 0 };
