// Usage people can read: a key's account (policy, today's and this month's totals, limits and what
// remains) as JSON, in snake_case like the rest of the gateway's answers.
import type { KeyPolicy } from "./account.ts";
import { type AccountView, nanoToUsd, type PeriodTotals, usdToNano } from "./ledger.ts";

const RATE_NAMES: Record<string, string> = {
  "requests/60000": "requests_per_minute",
  "tokens/60000": "tokens_per_minute",
};

/** One key's usage. `digest` is shown to admins only (it names the key in the admin API). */
export function keyUsage(policy: KeyPolicy, view: AccountView, withDigest: boolean) {
  const limits: Record<string, unknown> = {};
  for (const rate of view.rates) {
    const name = RATE_NAMES[`${rate.measure}/${rate.periodMs}`] ?? `${rate.measure}_per_${rate.periodMs}ms`;
    limits[name] = { limit: rate.limit, remaining: rate.remaining, reset_seconds: Math.ceil(rate.resetMs / 1000) };
  }
  if (policy.concurrent !== undefined) limits.concurrent = { limit: policy.concurrent, in_flight: view.inFlight };
  for (const [name, cap, totals] of [
    ["daily_usd", policy.dailyUsd, view.day],
    ["monthly_usd", policy.monthlyUsd, view.month],
  ] as const) {
    if (cap === undefined) continue;
    const left = Math.max(0, usdToNano(cap) - totals.nano - view.reservedNano);
    limits[name] = {
      limit: cap,
      spent: nanoToUsd(totals.nano),
      reserved: nanoToUsd(view.reservedNano),
      remaining: nanoToUsd(left),
    };
  }
  return {
    name: policy.name,
    ...(withDigest && { digest: policy.digest }),
    models: policy.models ?? null,
    today: totalsOf(view.day),
    month: totalsOf(view.month),
    in_flight: view.inFlight,
    limits,
  };
}

function totalsOf(totals: PeriodTotals) {
  return {
    period: totals.key,
    requests: totals.requests,
    uncached_input_tokens: totals.inputTokens,
    output_tokens: totals.outputTokens,
    usd: nanoToUsd(totals.nano),
  };
}

/**
 * A policy as the admin API receives it (snake_case or the stored camelCase), checked: a name, an
 * optional model list, whole-number limits, USD caps as decimal strings. Returns an error message instead when wrong.
 */
export function readPolicy(digest: string, body: unknown): KeyPolicy | string {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return "Send the policy as a JSON object.";
  const fields = body as Record<string, unknown>;
  // A misspelt limit stored as no limit at all would be a silent hole: every field must be known.
  const unknown = Object.keys(fields).find((field) => !FIELDS.has(field));
  if (unknown !== undefined)
    return `Unknown field ${JSON.stringify(unknown.slice(0, 100))}; known: ${[...FIELDS].join(", ")}.`;
  const given = (names: readonly string[]) => names.filter((n) => fields[n] !== undefined && fields[n] !== null);
  const twice = [...WHOLE, ...USD].find(([, names]) => given(names).length > 1);
  if (twice) return `\`${twice[1][0]}\` is given more than once (${given(twice[1]).join(", ")}).`;
  const pick = (...names: string[]) => names.map((n) => fields[n]).find((v) => v !== undefined && v !== null);
  const name = pick("name");
  if (typeof name !== "string" || name.trim() === "" || name.length > 100)
    return "`name` is required: 1 to 100 characters.";
  if (fields.digest !== undefined && fields.digest !== digest) return "`digest` must match the path's digest.";
  const policy: KeyPolicy = { name, digest };
  const models = pick("models");
  if (models !== undefined) {
    if (!Array.isArray(models) || !models.every((m) => typeof m === "string" && m.length > 0 && m.length <= 256))
      return "`models` must be a list of model ids or catalog names.";
    policy.models = models as string[];
  }
  for (const [key, names] of WHOLE) {
    const value = pick(...names);
    if (value === undefined) continue;
    // 0 would admit nothing and never refill: a key to stop is deleted instead.
    if (!Number.isSafeInteger(value) || (value as number) < 1) return `\`${names[0]}\` must be a whole number >= 1.`;
    policy[key] = value as number;
  }
  for (const [key, names] of USD) {
    const value = pick(...names);
    if (value === undefined) continue;
    const text = typeof value === "number" ? String(value) : value;
    // Up to $1,000,000: spend is counted in nano-dollars, exact as safe integers up to about $9 million.
    if (typeof text !== "string" || !/^\d{1,7}(\.\d{1,9})?$/.test(text) || Number(text) > 1_000_000)
      return `\`${names[0]}\` must be an amount of dollars up to 1000000, such as "50" or "0.25".`;
    policy[key] = text;
  }
  return policy;
}

const WHOLE = [
  ["requestsPerMinute", ["rpm", "requests_per_minute", "requestsPerMinute"]],
  ["tokensPerMinute", ["tpm", "tokens_per_minute", "tokensPerMinute"]],
  ["concurrent", ["concurrent"]],
] as const;
const USD = [
  ["dailyUsd", ["daily_usd", "dailyUsd"]],
  ["monthlyUsd", ["monthly_usd", "monthlyUsd"]],
] as const;
const FIELDS = new Set<string>(["name", "digest", "models", ...[...WHOLE, ...USD].flatMap(([, names]) => names)]);
