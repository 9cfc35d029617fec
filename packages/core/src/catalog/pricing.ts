// Prices and costs from either price list: the catalog's per-million prices or /v1/models per-token ones.
import { InvalidArgumentError } from "../errors.ts";
import type { InferenceModel, ModelApi, Usage } from "../types.ts";
import { addDecimal, type Decimal, formatDecimal, mulDecimal, parseDecimal, shiftDecimal } from "./decimal.ts";

/** Dollars per million tokens, as exact decimal strings; null where the price is unknown. */
export interface Prices {
  /** Null when the source has no price (Baseten: "Null when pricing is unavailable"). */
  inputPerMillion: string | null;
  /** Null when the source has no price. */
  outputPerMillion: string | null;
  /** Null when the price of cached input tokens is unknown (a catalog row lists none). */
  cachedInputPerMillion: string | null;
}

/** Token counts of one request. `inputTokens` includes the cached ones, as `prompt_tokens` does. */
export interface TokenCounts {
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens?: number;
}

/**
 * What a request cost, in dollars, as exact decimal strings. A part is null ("unknown") when
 * tokens were used at a price the source does not give; the total is null when any part is.
 * Zero tokens cost "0" whatever the price: that is known, not invented.
 */
export interface CostEstimate {
  inputUsd: string | null;
  cachedInputUsd: string | null;
  outputUsd: string | null;
  totalUsd: string | null;
}

/**
 * Converts a per-token price (inference `/v1/models`) to per million tokens (the catalog's unit).
 *
 * @example
 * ```ts
 * import { perTokenToPerMillion } from "@baseten-edge/core";
 * perTokenToPerMillion("0.0000001"); // "0.1"
 * ```
 */
export function perTokenToPerMillion(price: number | string): string {
  return formatDecimal(shiftDecimal(parseDecimal(price), 6));
}

/** Converts a per-million price (the catalog) to per token (inference `/v1/models`). */
export function perMillionToPerToken(price: number | string): string {
  return formatDecimal(shiftDecimal(parseDecimal(price), -6));
}

// Absent (a row that leaves the field out) is as unknown as null.
const normalise = (price: number | string | null | undefined): string | null =>
  price == null ? null : formatDecimal(parseDecimal(price));

/**
 * The prices of a catalog row, an inference model, or already-normalised prices. A missing price
 * (a null catalog price, a model without `pricing`) comes back as null, never as zero. A catalog row
 * lists no price for cached input tokens (null: unknown, and Baseten's cached prices are far below
 * its input prices); a `/v1/models` entry without `input_cache_read` charges them at its input price.
 */
export function pricesOf(model: ModelApi | InferenceModel | Prices): Prices {
  if ("inputPerMillion" in model) return model;
  // A catalog row (no `id`), whichever of its price fields it has.
  if (!("id" in model)) {
    return {
      inputPerMillion: normalise(model.cost_per_million_input_tokens),
      outputPerMillion: normalise(model.cost_per_million_output_tokens),
      cachedInputPerMillion: null,
    };
  }
  const { pricing } = model;
  const perMillion = (price: string | undefined) => (price === undefined ? null : perTokenToPerMillion(price));
  const inputPerMillion = perMillion(pricing?.prompt);
  return {
    inputPerMillion,
    outputPerMillion: perMillion(pricing?.completion),
    cachedInputPerMillion: perMillion(pricing?.input_cache_read) ?? inputPerMillion,
  };
}

/**
 * The exact cost of a request. Cached input tokens are charged at the cached price (see `pricesOf`:
 * unknown for a catalog row). Tokens at an unknown price make their part, and the total, null.
 *
 * @example
 * ```ts
 * import { estimateCost } from "@baseten-edge/core";
 * const prices = { inputPerMillion: "0.13", outputPerMillion: "0.50", cachedInputPerMillion: null };
 * estimateCost(prices, { inputTokens: 1_000_000, outputTokens: 0 }).totalUsd; // "0.13"
 * ```
 */
export function estimateCost(model: ModelApi | InferenceModel | Prices, tokens: TokenCounts): CostEstimate {
  const { inputTokens, outputTokens, cachedInputTokens = 0 } = tokens;
  for (const [label, count] of Object.entries({ inputTokens, outputTokens, cachedInputTokens })) {
    if (!Number.isSafeInteger(count) || count < 0) {
      throw new InvalidArgumentError(`${label} must be a whole number >= 0, got ${String(count)}.`);
    }
  }
  if (cachedInputTokens > inputTokens) {
    throw new InvalidArgumentError("cachedInputTokens cannot exceed inputTokens (which includes them).");
  }
  const prices = pricesOf(model);
  const input = cost(prices.inputPerMillion, inputTokens - cachedInputTokens);
  const cached = cost(prices.cachedInputPerMillion, cachedInputTokens);
  const output = cost(prices.outputPerMillion, outputTokens);
  const total = input && cached && output ? addDecimal(addDecimal(input, cached), output) : null;
  return { inputUsd: show(input), cachedInputUsd: show(cached), outputUsd: show(output), totalUsd: show(total) };
}

const ZERO = parseDecimal(0);

/** `count` tokens at `perMillion` dollars; null when tokens were used at an unknown price. */
function cost(perMillion: string | null, count: number): Decimal | null {
  if (count === 0) return ZERO;
  if (perMillion === null) return null;
  return shiftDecimal(mulDecimal(parseDecimal(perMillion), parseDecimal(count)), -6);
}

const show = (value: Decimal | null): string | null => (value === null ? null : formatDecimal(value));

/** The token counts in a Baseten `usage` object, ready for `estimateCost`. */
export function tokensFromUsage(usage: Usage): Required<TokenCounts> {
  return {
    inputTokens: usage.prompt_tokens ?? 0,
    outputTokens: usage.completion_tokens ?? 0,
    cachedInputTokens: usage.prompt_tokens_details?.cached_tokens ?? 0,
  };
}
