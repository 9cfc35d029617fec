// The ledger of one account (a gateway key, or a model in the operator's workspace): rate buckets,
// requests in flight, and spend per UTC day and month, as one small JSON document changed by pure
// steps. Every store (memory, SQLite, Deno KV, Redis, a Durable Object) runs these same steps
// atomically on one account at a time, so the counting rules live here and only here.

/** Money in whole nano-dollars (1e-9 USD): exact integers, safe up to about $9 million. */
export type Nano = number;

/** What a rate bucket counts. `inputTokens` are uncached input tokens (Baseten's UNCACHED_INPUT_TOKEN). */
export type Measure = "requests" | "tokens" | "inputTokens" | "outputTokens";

/** At most `limit` of `measure` per `periodMs`, refilled continuously (a token bucket). */
export interface Rate {
  measure: Measure;
  limit: number;
  periodMs: number;
}

/** Everything an account may be limited by; an absent field is no limit. */
export interface AccountLimits {
  rates: readonly Rate[];
  /** Requests in flight at once. */
  concurrent?: number;
  /** Spend caps per UTC calendar day and month. */
  dailyNano?: Nano;
  monthlyNano?: Nano;
}

/** What a request counts for: reserved at admission (worst case), replaced by the real figures at settlement. */
export interface Charge {
  requests: number;
  /** Input and output together. */
  tokens: number;
  inputTokens: number;
  outputTokens: number;
  nano: Nano;
}

/** A request admitted and not yet settled. */
export interface Ticket {
  reserved: Charge;
  /** Past this time the request is taken as finished, charged its whole reservation. */
  expiresAt: number;
}

/** Totals for one calendar period (`key`: "2026-11-22" or "2026-11"). */
export interface PeriodTotals {
  key: string;
  requests: number;
  inputTokens: number;
  outputTokens: number;
  nano: Nano;
}

export interface AccountState {
  v: 1;
  /** Fill level of each rate bucket (key: `measure/periodMs`) at time `at`. */
  levels: Record<string, { level: number; at: number }>;
  open: Record<string, Ticket>;
  day: PeriodTotals;
  month: PeriodTotals;
}

export type Refusal =
  | { kind: "rate"; measure: Measure; periodMs: number }
  | { kind: "concurrent" }
  /** `tooLarge`: the request's worst case alone is over the cap, so no wait lets it through. */
  | { kind: "spend"; period: "day" | "month"; tooLarge?: boolean };

/** One rate bucket as a client sees it (for `x-ratelimit-*` headers and `/v1/usage`). */
export interface RateView extends Rate {
  remaining: number;
  /** Milliseconds until the bucket is full again. */
  resetMs: number;
}

export interface AccountView {
  rates: RateView[];
  inFlight: number;
  /** Spend reserved by requests in flight. */
  reservedNano: Nano;
  day: PeriodTotals;
  month: PeriodTotals;
}

export type LedgerOp =
  | { op: "admit"; now: number; ticket: string; limits: AccountLimits; charge: Charge; expiresAt: number }
  /** `actual: null`: usage never arrived; the request is charged its whole reservation. */
  | { op: "settle"; now: number; ticket: string; actual: Charge | null; limits: AccountLimits }
  | { op: "view"; now: number; limits: AccountLimits };

export type LedgerResult =
  | { ok: true; view: AccountView }
  | { ok: false; refusal: Refusal; retryAfterMs: number | null; view: AccountView };

/**
 * Applies one step to an account. Pure: the same state and op always give the same result, so a
 * store that retries on a conflict (Deno KV, Redis) may run it again on the newer state.
 * `state: null` is an account never seen before.
 */
export function reduce(state: AccountState | null, op: LedgerOp): { state: AccountState; result: LedgerResult } {
  return advance(state ? structuredClone(state) : null, op);
}

/**
 * `reduce` on a state the caller owns and gives up (a document it just parsed): changed in place,
 * without the copy `reduce` makes.
 */
export function advance(state: AccountState | null, op: LedgerOp): { state: AccountState; result: LedgerResult } {
  const next = expire(rollOver(state ?? emptyState(op.now), op.now), op.now, op.limits);
  prune(next, op.limits);
  if (op.op === "view") return { state: next, result: { ok: true, view: view(next, op.limits, op.now) } };
  if (op.op === "settle") {
    settle(next, op.ticket, op.actual, op.limits, op.now);
    return { state: next, result: { ok: true, view: view(next, op.limits, op.now) } };
  }
  if (next.open[op.ticket]) return { state: next, result: { ok: true, view: view(next, op.limits, op.now) } };
  const refused = refusal(next, op.limits, op.charge, op.now);
  if (refused) return { state: next, result: { ok: false, ...refused, view: view(next, op.limits, op.now) } };
  for (const rate of op.limits.rates) {
    const bucket = fill(next, rate, op.now);
    bucket.level += Math.min(op.charge[rate.measure], rate.limit);
  }
  next.open[op.ticket] = { reserved: op.charge, expiresAt: op.expiresAt };
  return { state: next, result: { ok: true, view: view(next, op.limits, op.now) } };
}

/** Why `charge` cannot be admitted now, and when it could be (null: not by waiting alone). */
function refusal(state: AccountState, limits: AccountLimits, charge: Charge, now: number) {
  if (limits.concurrent !== undefined && Object.keys(state.open).length >= limits.concurrent) {
    return { refusal: { kind: "concurrent" } as Refusal, retryAfterMs: null };
  }
  const reserved = reservedNano(state);
  // The wait that helps is the longest: until every exhausted cap's period has ended (none while other
  // requests hold reservations, whose settling may free room sooner; none when waiting cannot help).
  let spent: { refusal: Refusal; retryAfterMs: number | null } | null = null;
  for (const [period, cap] of [
    ["day", limits.dailyNano],
    ["month", limits.monthlyNano],
  ] as const) {
    if (cap === undefined) continue;
    if (charge.nano > cap) return { refusal: { kind: "spend", period, tooLarge: true } as Refusal, retryAfterMs: null };
    if (state[period].nano + reserved + charge.nano > cap)
      spent = { refusal: { kind: "spend", period }, retryAfterMs: reserved > 0 ? null : untilNextPeriod(period, now) };
  }
  if (spent) return spent;
  for (const rate of limits.rates) {
    const bucket = fill(state, rate, now);
    // A request larger than the whole bucket waits for an empty bucket instead of never passing.
    const wanted = Math.min(charge[rate.measure], rate.limit);
    if (bucket.level + wanted > rate.limit) {
      const retryAfterMs = Math.ceil(((bucket.level + wanted - rate.limit) * rate.periodMs) / rate.limit);
      return { refusal: { kind: "rate", measure: rate.measure, periodMs: rate.periodMs } as Refusal, retryAfterMs };
    }
  }
  return null;
}

/** Replaces a ticket's reservation with what the request really used. Unknown tickets are ignored. */
function settle(state: AccountState, id: string, actual: Charge | null, limits: AccountLimits, now: number): void {
  const ticket = state.open[id];
  if (!ticket) return;
  delete state.open[id];
  const used = actual ?? ticket.reserved;
  for (const rate of limits.rates) {
    const bucket = fill(state, rate, now);
    const reserved = Math.min(ticket.reserved[rate.measure], rate.limit);
    bucket.level = Math.max(0, bucket.level + used[rate.measure] - reserved);
  }
  for (const totals of [state.day, state.month]) {
    totals.requests += used.requests;
    totals.inputTokens += used.inputTokens;
    totals.outputTokens += used.outputTokens;
    totals.nano += used.nano;
  }
}

/** Tickets past their expiry are settled with their whole reservation: spend errs high, never low. */
function expire(state: AccountState, now: number, limits: AccountLimits): AccountState {
  for (const [id, ticket] of Object.entries(state.open)) {
    if (ticket.expiresAt <= now) settle(state, id, null, limits, now);
  }
  return state;
}

/** Forgets buckets of rates the limits no longer have (a policy changed), so a document never grows. */
function prune(state: AccountState, limits: AccountLimits): void {
  const wanted = new Set(limits.rates.map(bucketKey));
  for (const key of Object.keys(state.levels)) if (!wanted.has(key)) delete state.levels[key];
}

const bucketKey = (rate: Rate) => `${rate.measure}/${rate.periodMs}`;

/** The bucket for `rate`, drained to `now`. */
function fill(state: AccountState, rate: Rate, now: number): { level: number; at: number } {
  const key = bucketKey(rate);
  state.levels[key] ??= { level: 0, at: now };
  const bucket = state.levels[key];
  const elapsed = Math.max(0, now - bucket.at);
  bucket.level = Math.max(0, bucket.level - (elapsed * rate.limit) / rate.periodMs);
  bucket.at = Math.max(bucket.at, now);
  return bucket;
}

function view(state: AccountState, limits: AccountLimits, now: number): AccountView {
  const rates = limits.rates.map((rate) => {
    const { level } = fill(state, rate, now);
    return {
      ...rate,
      remaining: Math.max(0, Math.floor(rate.limit - level)),
      resetMs: Math.ceil((level * rate.periodMs) / rate.limit),
    };
  });
  const inFlight = Object.keys(state.open).length;
  return { rates, inFlight, reservedNano: reservedNano(state), day: { ...state.day }, month: { ...state.month } };
}

function reservedNano(state: AccountState): Nano {
  let sum = 0;
  for (const ticket of Object.values(state.open)) sum += ticket.reserved.nano;
  return sum;
}

/**
 * Starts new day and month totals when the calendar (UTC) has moved on — forwards only: instances
 * whose clocks differ by a little take turns on one account, and one just behind midnight must not
 * wipe the new day's totals (the keys are ISO dates, so they compare as text).
 */
function rollOver(state: AccountState, now: number): AccountState {
  const { day, month } = periodKeys(now);
  if (day > state.day.key) state.day = emptyTotals(day);
  if (month > state.month.key) state.month = emptyTotals(month);
  return state;
}

function emptyState(now: number): AccountState {
  const { day, month } = periodKeys(now);
  return { v: 1, levels: {}, open: {}, day: emptyTotals(day), month: emptyTotals(month) };
}

function emptyTotals(key: string): PeriodTotals {
  return { key, requests: 0, inputTokens: 0, outputTokens: 0, nano: 0 };
}

/** The UTC day ("2026-11-22") and month ("2026-11") of a time. */
export function periodKeys(now: number): { day: string; month: string } {
  const day = new Date(now).toISOString().slice(0, 10);
  return { day, month: day.slice(0, 7) };
}

/** Milliseconds until the next UTC day or month begins. */
export function untilNextPeriod(period: "day" | "month", now: number): number {
  const date = new Date(now);
  const next =
    period === "day"
      ? Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() + 1)
      : Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
  return next - now;
}

/**
 * Dollars as an exact decimal string ("0.000123", as `estimateCost` gives) to whole nano-dollars,
 * rounded up: a reservation or a charge is never smaller than the real amount.
 */
export function usdToNano(usd: string): Nano {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(usd);
  if (!match) throw new RangeError(`Not a non-negative decimal amount of dollars: ${JSON.stringify(usd)}`);
  const [, whole = "0", fraction = ""] = match;
  const nano = Number(whole) * 1e9 + Number(fraction.slice(0, 9).padEnd(9, "0"));
  const rest = fraction.slice(9);
  const result = /[1-9]/.test(rest) ? nano + 1 : nano;
  if (!Number.isSafeInteger(result)) throw new RangeError(`Amount too large: ${usd}`);
  return result;
}

/** Whole nano-dollars as a decimal string of dollars ("0.000123"). */
export function nanoToUsd(nano: Nano): string {
  const whole = Math.floor(nano / 1e9);
  const fraction = String(nano % 1e9)
    .padStart(9, "0")
    .replace(/0+$/, "");
  return fraction ? `${whole}.${fraction}` : String(whole);
}
