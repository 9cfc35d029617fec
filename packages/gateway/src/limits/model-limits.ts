// Baseten's own per-workspace, per-model limits (the catalog row's `rate_limits`) as ledger limits,
// each in its own unit: a per-second limit stays a one-second bucket, so a burst Baseten would refuse
// is refused here too.
import type { InferenceModel, ModelApi, RateLimitLike } from "@baseten-edge/core";
import { slugOf } from "../model-names.ts";
import type { AccountLimits, Measure, Rate } from "./ledger.ts";

/** A model's limits for the workspace; `blocked` when a threshold of 0 admits nothing at all. */
export interface ModelRule {
  limits: AccountLimits;
  blocked: boolean;
  /** Limit types or units this version does not know: ignored (and logged once). */
  unrecognised: RateLimitLike[];
}

const MEASURES: Readonly<Record<string, Measure>> = {
  REQUEST: "requests",
  TOKEN: "tokens",
  UNCACHED_INPUT_TOKEN: "inputTokens",
  OUTPUT_TOKEN: "outputTokens",
};
const PERIODS: Readonly<Record<string, number>> = { SECOND: 1000, MINUTE: 60_000 };

/** The ledger limits of one catalog row's `rate_limits`. */
export function modelRule(limits: readonly RateLimitLike[]): ModelRule {
  const rates: Rate[] = [];
  const unrecognised: RateLimitLike[] = [];
  let concurrent: number | undefined;
  let blocked = false;
  for (const limit of limits) {
    const { type, unit, threshold } = limit;
    if (!Number.isFinite(threshold) || threshold < 0) {
      unrecognised.push(limit);
      continue;
    }
    if (type === "CONCURRENT_REQUEST") {
      concurrent = Math.min(concurrent ?? threshold, threshold);
      blocked ||= threshold === 0;
      continue;
    }
    const measure = Object.hasOwn(MEASURES, type) ? MEASURES[type] : undefined;
    const periodMs = Object.hasOwn(PERIODS, unit) ? PERIODS[unit] : undefined;
    if (!measure || !periodMs) {
      unrecognised.push(limit);
      continue;
    }
    blocked ||= threshold === 0;
    rates.push({ measure, limit: threshold, periodMs });
  }
  return { limits: { rates, ...(concurrent !== undefined && { concurrent }) }, blocked, unrecognised };
}

/** Catalog rows by inference id, per catalog entry (a refresh makes a new entry, and a new map). */
const byEntry = new WeakMap<object, Map<string, ModelRule | null>>();

/**
 * The rule for an inference model, from the catalog the caller sees (`entry`: the cache entry's value,
 * an identity that changes with each refresh). The catalog names rows by slug (model-names.ts); a
 * model without a row has no rule (null).
 */
export function ruleFor(rows: readonly ModelApi[], model: InferenceModel): ModelRule | null {
  let rules = byEntry.get(rows);
  if (!rules) {
    rules = new Map();
    byEntry.set(rows, rules);
  }
  const known = rules.get(model.id);
  if (known !== undefined) return known;
  const name = model.name?.toLowerCase();
  const row =
    rows.find((r) => r.name === slugOf(model.id)) ?? rows.find((r) => name && r.display_name.toLowerCase() === name);
  const rule = row ? modelRule(row.rate_limits ?? []) : null;
  rules.set(model.id, rule);
  return rule;
}
