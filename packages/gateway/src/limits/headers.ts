// Rate-limit headers and refusals in each protocol's own words: OpenAI's `x-ratelimit-*` and
// `insufficient_quota`, Anthropic's `anthropic-ratelimit-*` and `billing_error`.
import { Refusal } from "../relay/request.ts";
import type { AccountView, Refusal as LedgerRefusal, Measure, RateView } from "./ledger.ts";

type ProtocolName = "openai" | "openai-responses" | "anthropic";

/** The header family each measure is reported under, per protocol (OpenAI has no input/output token headers). */
const FAMILIES: Record<"openai" | "anthropic", Partial<Record<Measure, string>>> = {
  openai: { requests: "requests", tokens: "tokens" },
  anthropic: { requests: "requests", tokens: "tokens", inputTokens: "input-tokens", outputTokens: "output-tokens" },
};

/**
 * The rate-limit headers for the tightest bucket of each measure across `views` (a key's and a
 * model's), as OpenAI (`x-ratelimit-limit-requests`, `-remaining-`, `-reset-` as "6m0s") or
 * Anthropic (`anthropic-ratelimit-requests-limit`, `-remaining`, `-reset` as an RFC 3339 time) send them.
 */
export function rateHeaders(protocol: ProtocolName, views: readonly AccountView[], now: number): Headers {
  const headers = new Headers();
  const dialect = protocol === "anthropic" ? "anthropic" : "openai";
  const tightest = new Map<Measure, RateView>();
  for (const view of views) {
    for (const rate of view.rates) {
      const seen = tightest.get(rate.measure);
      if (
        !seen ||
        rate.remaining < seen.remaining ||
        (rate.remaining === seen.remaining && rate.resetMs > seen.resetMs)
      )
        tightest.set(rate.measure, rate);
    }
  }
  for (const [measure, rate] of tightest) {
    const family = FAMILIES[dialect][measure];
    if (!family) continue;
    if (dialect === "openai") {
      headers.set(`x-ratelimit-limit-${family}`, String(rate.limit));
      headers.set(`x-ratelimit-remaining-${family}`, String(rate.remaining));
      headers.set(`x-ratelimit-reset-${family}`, goDuration(rate.resetMs));
    } else {
      headers.set(`anthropic-ratelimit-${family}-limit`, String(rate.limit));
      headers.set(`anthropic-ratelimit-${family}-remaining`, String(rate.remaining));
      headers.set(`anthropic-ratelimit-${family}-reset`, rfc3339(now + rate.resetMs));
    }
  }
  return headers;
}

/** A duration as OpenAI writes it (Go's `time.Duration` format): "20ms", "1s", "1.5s", "6m0s", "1h0m0s". */
export function goDuration(ms: number): string {
  const whole = Math.max(0, Math.ceil(ms));
  if (whole < 1000) return `${whole}ms`;
  const hours = Math.floor(whole / 3_600_000);
  const minutes = Math.floor((whole % 3_600_000) / 60_000);
  const seconds = `${(whole % 60_000) / 1000}`;
  if (hours) return `${hours}h${minutes}m${seconds}s`;
  if (minutes) return `${minutes}m${seconds}s`;
  return `${seconds}s`;
}

/** An RFC 3339 UTC time, rounded up to the second ("2026-11-22T19:10:41Z"), as Anthropic sends resets. */
export function rfc3339(ms: number): string {
  return new Date(Math.ceil(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

const MEASURE_WORDS: Record<Measure, string> = {
  requests: "requests",
  tokens: "tokens",
  inputTokens: "uncached input tokens",
  outputTokens: "output tokens",
};

/**
 * A ledger refusal as the answer the route's protocol uses: 429 with `Retry-After` for rates and
 * concurrency; for a spend cap, OpenAI's 429 `insufficient_quota` and Anthropic's 402 `billing_error`.
 * `whose` names the account in the message ("this gateway key", "the workspace's Baseten limits for this model").
 */
export function refusalAnswer(
  protocol: ProtocolName,
  refusal: LedgerRefusal,
  retryAfterMs: number | null,
  whose: string,
  headers: Headers,
): Refusal | QuotaRefusal {
  if (refusal.kind === "spend") {
    const period = refusal.period === "day" ? "daily" : "monthly";
    const message = refusal.tooLarge
      ? `This request's worst-case cost is more than the ${period} spend cap of ${whose}: lower max_tokens, or raise the cap.`
      : `The ${period} spend cap of ${whose} is reached; it resets when the UTC ${refusal.period} ends.`;
    if (retryAfterMs !== null) headers.set("retry-after", String(Math.ceil(retryAfterMs / 1000)));
    // Waiting seconds will not help: the SDKs (openai, anthropic) skip their retries on `x-should-retry: false`.
    headers.set("x-should-retry", "false");
    return new QuotaRefusal(protocol, message, headers);
  }
  const seconds = refusal.kind === "concurrent" ? 1 : Math.max(1, Math.ceil((retryAfterMs ?? 1000) / 1000));
  headers.set("retry-after", String(seconds));
  const message =
    refusal.kind === "concurrent"
      ? `Too many requests in flight for ${whose}; try again in a moment.`
      : `Rate limit of ${whose} reached on ${MEASURE_WORDS[refusal.measure]} per ${periodWords(refusal.periodMs)}; try again in ${seconds}s.`;
  return new Refusal(429, message, "rate_limit_exceeded", headers);
}

const periodWords = (ms: number) => (ms === 1000 ? "second" : ms === 60_000 ? "minute" : `${ms / 1000} seconds`);

/**
 * A spend cap reached. OpenAI answers exhausted quota with 429 and `type`/`code` "insufficient_quota"
 * (https://platform.openai.com/docs/guides/error-codes); Anthropic documents `billing_error` for
 * billing problems, the error type its API reference lists for HTTP 402
 * (https://docs.anthropic.com/en/api/errors, and the `BillingError` type in its SDKs).
 */
export class QuotaRefusal extends Refusal {
  constructor(
    readonly protocol: ProtocolName,
    message: string,
    headers: Headers,
  ) {
    super(protocol === "anthropic" ? 402 : 429, message, "insufficient_quota", headers);
  }

  override answer(protocol: { error(status: number, message: string, code?: string): Response }): Response {
    if (this.protocol === "anthropic") return super.answer(protocol);
    const error = { message: this.message, type: "insufficient_quota", param: null, code: "insufficient_quota" };
    const response = Response.json({ error }, { status: 429 });
    for (const [name, value] of this.headers ?? []) response.headers.set(name, value);
    return response;
  }
}
