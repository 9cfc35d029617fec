import { describe, expect, it } from "vitest";
import {
  type AccountLimits,
  type AccountState,
  type Charge,
  type LedgerOp,
  type LedgerResult,
  nanoToUsd,
  reduce,
  untilNextPeriod,
  usdToNano,
} from "../src/limits/ledger.ts";

const T0 = Date.UTC(2026, 10, 22, 12, 0, 0);
const one = (over: Partial<Charge> = {}): Charge => ({
  requests: 1,
  tokens: 100,
  inputTokens: 60,
  outputTokens: 40,
  nano: 1000,
  ...over,
});

/** An admit op, open for `ttl` ms. */
const admitOp = (now: number, ticket: string, limits: AccountLimits, charge: Charge, ttl = 1e6) =>
  ({ op: "admit", now, ticket, limits, charge, expiresAt: now + ttl }) as const;

/** A tiny account driver: applies ops in order, as a store would. */
function account() {
  let state: AccountState | null = null;
  return (op: LedgerOp): LedgerResult => {
    const out = reduce(state, op);
    state = out.state;
    return out.result;
  };
}

const perMinute = (limit: number): AccountLimits => ({ rates: [{ measure: "requests", limit, periodMs: 60_000 }] });

describe("reduce: rate buckets", () => {
  it("admits exactly the limit at one instant, then says when the next one fits", () => {
    const apply = account();
    const results = Array.from({ length: 200 }, (_, i) =>
      apply({ op: "admit", now: T0, ticket: `t${i}`, limits: perMinute(50), charge: one(), expiresAt: T0 + 1e6 }),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(50);
    const refused = results[50];
    expect(refused).toMatchObject({ ok: false, refusal: { kind: "rate", measure: "requests" }, retryAfterMs: 1200 });
    // 1.2 s later the bucket has room for exactly one more.
    const later = (ticket: string) =>
      apply({ op: "admit", now: T0 + 1200, ticket, limits: perMinute(50), charge: one(), expiresAt: T0 + 1e6 });
    expect(later("a").ok).toBe(true);
    expect(later("b").ok).toBe(false);
  });

  it("corrects a token estimate with the real count at settlement", () => {
    const apply = account();
    const limits: AccountLimits = { rates: [{ measure: "tokens", limit: 1000, periodMs: 60_000 }] };
    apply({ op: "admit", now: T0, ticket: "a", limits, charge: one({ tokens: 100 }), expiresAt: T0 + 1e6 });
    const settled = apply({ op: "settle", now: T0, ticket: "a", actual: one({ tokens: 900 }), limits });
    expect(settled.view.rates[0]).toMatchObject({ remaining: 100 });
    const next = apply({
      op: "admit",
      now: T0,
      ticket: "b",
      limits,
      charge: one({ tokens: 200 }),
      expiresAt: T0 + 1e6,
    });
    expect(next).toMatchObject({ ok: false, retryAfterMs: 6000 });
  });

  it("is idempotent per ticket: a retried admit does not count twice", () => {
    const apply = account();
    const op: LedgerOp = {
      op: "admit",
      now: T0,
      ticket: "x",
      limits: perMinute(2),
      charge: one(),
      expiresAt: T0 + 1e6,
    };
    apply(op);
    const again = apply(op);
    expect(again.ok && again.view.rates[0]?.remaining).toBe(1);
  });
});

describe("reduce: concurrency and spend", () => {
  it("counts requests in flight until they settle", () => {
    const apply = account();
    const limits: AccountLimits = { rates: [], concurrent: 1 };
    expect(apply({ op: "admit", now: T0, ticket: "a", limits, charge: one(), expiresAt: T0 + 1e6 }).ok).toBe(true);
    expect(apply({ op: "admit", now: T0, ticket: "b", limits, charge: one(), expiresAt: T0 + 1e6 })).toMatchObject({
      ok: false,
      refusal: { kind: "concurrent" },
    });
    apply({ op: "settle", now: T0, ticket: "a", actual: one(), limits });
    expect(apply({ op: "admit", now: T0, ticket: "b", limits, charge: one(), expiresAt: T0 + 1e6 }).ok).toBe(true);
  });

  it("reserves the worst case, charges the real cost, and never admits past the cap", () => {
    const apply = account();
    const limits: AccountLimits = { rates: [], dailyNano: 10_000 };
    const admit = (ticket: string, nano: number) =>
      apply({ op: "admit", now: T0, ticket, limits, charge: one({ nano }), expiresAt: T0 + 1e6 });
    expect(admit("a", 6000).ok).toBe(true);
    expect(admit("b", 6000)).toMatchObject({
      ok: false,
      refusal: { kind: "spend", period: "day" },
      retryAfterMs: null,
    });
    const settled = apply({ op: "settle", now: T0, ticket: "a", actual: one({ nano: 2000 }), limits });
    expect(settled.view).toMatchObject({ reservedNano: 0, day: { nano: 2000, requests: 1 } });
    expect(admit("b", 6000).ok).toBe(true);
    const full = admit("c", 6000);
    expect(full).toMatchObject({ ok: false, refusal: { kind: "spend", period: "day" } });
  });

  it("gives no wait when the request alone is over a cap, and the longest when both caps are spent", () => {
    const apply = account();
    const limits: AccountLimits = { rates: [], dailyNano: 10_000, monthlyNano: 15_000 };
    const admit = (ticket: string, nano: number) => apply(admitOp(T0, ticket, limits, one({ nano })));
    // Over the daily cap by itself: no day will let it through.
    expect(admit("big", 20_000)).toMatchObject({
      ok: false,
      refusal: { kind: "spend", period: "day", tooLarge: true },
      retryAfterMs: null,
    });
    expect(admit("a", 9000).ok).toBe(true);
    apply({ op: "settle", now: T0, ticket: "a", actual: one({ nano: 9000 }), limits });
    // Only the day's cap is spent: tomorrow helps.
    expect(admit("b", 2000)).toMatchObject({ refusal: { period: "day" }, retryAfterMs: untilNextPeriod("day", T0) });
    const tomorrow = T0 + untilNextPeriod("day", T0);
    expect(apply(admitOp(tomorrow, "c", limits, one({ nano: 5000 }), 1)).ok).toBe(true);
    apply({ op: "settle", now: tomorrow, ticket: "c", actual: one({ nano: 5000 }), limits });
    // Now the month is spent too (14,000 of 15,000): only next month helps, not tomorrow.
    const refused = apply(admitOp(tomorrow, "d", limits, one({ nano: 6000 }), 1));
    expect(refused).toMatchObject({ refusal: { period: "month" }, retryAfterMs: untilNextPeriod("month", tomorrow) });
  });

  it("charges a request whose usage never arrived its whole reservation", () => {
    const apply = account();
    const limits: AccountLimits = { rates: [] };
    apply({ op: "admit", now: T0, ticket: "a", limits, charge: one({ nano: 7000 }), expiresAt: T0 + 1e6 });
    const settled = apply({ op: "settle", now: T0, ticket: "a", actual: null, limits });
    expect(settled.view.day.nano).toBe(7000);
  });

  it("settles expired tickets with their reservation, and starts a new day at UTC midnight", () => {
    const apply = account();
    const limits: AccountLimits = { rates: [], dailyNano: 10_000, monthlyNano: 100_000 };
    apply({ op: "admit", now: T0, ticket: "a", limits, charge: one({ nano: 9000 }), expiresAt: T0 + 60_000 });
    const expired = apply({ op: "view", now: T0 + 60_000, limits });
    expect(expired.view).toMatchObject({ inFlight: 0, day: { nano: 9000 } });
    const tomorrow = T0 + untilNextPeriod("day", T0);
    const next = apply({
      op: "admit",
      now: tomorrow,
      ticket: "b",
      limits,
      charge: one({ nano: 9000 }),
      expiresAt: tomorrow + 1,
    });
    expect(next).toMatchObject({ ok: true, view: { day: { key: "2026-11-23", nano: 0 }, month: { nano: 9000 } } });
  });

  it("never rolls back: a clock a little behind midnight does not wipe the new day's (or month's) spend", () => {
    const apply = account();
    const limits: AccountLimits = { rates: [], dailyNano: 10_000, monthlyNano: 20_000 };
    const midnight = Date.UTC(2026, 11, 1); // also a new month
    // Each request admitted and settled at once, by one of two instances 2 s apart, in turns.
    const served = (ticket: string, now: number) => {
      const charge = one({ nano: 4000 });
      if (!apply(admitOp(now, ticket, limits, charge)).ok) return false;
      apply({ op: "settle", now, ticket, actual: charge, limits });
      return true;
    };
    const admitted = Array.from({ length: 10 }, (_, i) => served(`t${i}`, midnight + (i % 2 ? -2000 : 1000) + i));
    // The cap admits 2 requests of $0.004 on the new day, whichever clock asks.
    expect(admitted.filter(Boolean)).toHaveLength(2);
    const view = apply({ op: "view", now: midnight + 5000, limits }).view;
    expect(view).toMatchObject({ day: { key: "2026-12-01", nano: 8000 }, month: { key: "2026-12", nano: 8000 } });
  });
});

describe("nano-dollars", () => {
  it("rounds dollars up to whole nano-dollars and prints them back exactly", () => {
    expect(usdToNano("0.13")).toBe(130_000_000);
    expect(usdToNano("0.0000000001")).toBe(1);
    expect(usdToNano("12")).toBe(12e9);
    expect(nanoToUsd(130_000_000)).toBe("0.13");
    expect(nanoToUsd(12e9 + 1)).toBe("12.000000001");
    expect(() => usdToNano("-1")).toThrow(RangeError);
  });
});
