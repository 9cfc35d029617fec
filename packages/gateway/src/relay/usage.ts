// Usage and cost of a relayed answer, as log fields.
import { estimateCost, type InferenceModel, type Prices, pricesOf, type TokenCounts } from "@baseten-edge/core";
import type { GatewayEvent } from "../options.ts";

/** A listed model's prices, normalised once per model object (a refreshed list brings new objects). */
const normalised = new WeakMap<InferenceModel, Prices>();
function pricesFor(model: InferenceModel): Prices {
  let prices = normalised.get(model);
  if (!prices) {
    prices = pricesOf(model);
    normalised.set(model, prices);
  }
  return prices;
}

/**
 * Log fields for usage and exact cost. `cost_status` says whether the cost is known: a model listed
 * without prices (or with counts that contradict each other) logs "unknown" and a null cost, never zero.
 */
export function usageFields(usage: TokenCounts | null, model: InferenceModel | undefined): Partial<GatewayEvent> {
  if (!usage) return {};
  const fields: Partial<GatewayEvent> = {
    input_tokens: usage.inputTokens,
    cached_tokens: usage.cachedInputTokens ?? 0,
    output_tokens: usage.outputTokens,
    cost_usd: null,
    cost_status: "unknown",
  };
  if (model) {
    try {
      fields.cost_usd = estimateCost(pricesFor(model), usage).totalUsd;
    } catch {
      // Counts the upstream reported inconsistently (cached > input): log tokens, not a wrong cost.
    }
  }
  if (fields.cost_usd !== null) fields.cost_status = "known";
  return fields;
}
