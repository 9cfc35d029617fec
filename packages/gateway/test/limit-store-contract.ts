// The LimitStore contract: one suite, no test framework (it runs in vitest, workerd, Deno and Bun), for every store.
import type { AccountOp, AccountResult, KeyPolicy } from "../src/limits/account.ts";
import type { AccountLimits, Charge } from "../src/limits/ledger.ts";
import type { LimitStore } from "../src/limits/store.ts";

export interface LimitStoreUnderTest {
  store: LimitStore;
  /** A second instance over the same backing (another process's or connection's view of it). */
  twin?: LimitStore;
}

export interface LimitStoreCheck {
  name: string;
  run(subject: LimitStoreUnderTest): Promise<void>;
}

const T0 = Date.UTC(2026, 10, 22, 12, 0, 0);
const HOUR = 3_600_000;

function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

function same(actual: unknown, expected: unknown, what: string): void {
  const [a, e] = [JSON.stringify(actual), JSON.stringify(expected)];
  check(a === e, `${what}: got ${a}, expected ${e}`);
}

/** A fresh gateway key's digest and account name: each check works on accounts of its own. */
async function newKey(): Promise<{ digest: string; account: string }> {
  const key = `sk-test-${crypto.randomUUID()}`;
  const bytes = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(key)));
  const digest = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return { digest, account: `key:${digest}` };
}

const charge = (nano: number, over: Partial<Charge> = {}): Charge => ({
  requests: 1,
  tokens: 100,
  inputTokens: 60,
  outputTokens: 40,
  nano,
  ...over,
});

type Admit = Extract<AccountOp, { op: "admit" }>;
const admit = (ticket: string, nano = 1_000, model = "m", now = T0): Admit => ({
  op: "admit",
  now,
  ticket,
  model,
  charge: charge(nano),
  expiresAt: now + HOUR,
});

/** The account's figures, when the result has them (refusals for an unknown key or model do not). */
const viewOf = (result: AccountResult) => ("view" in result ? result.view : undefined);

/** The instance the i-th op goes through: alternating between the two when there is a twin. */
const via = (subject: LimitStoreUnderTest, i: number) => (subject.twin && i % 2 ? subject.twin : subject.store);

const rateOf50: LimitStoreCheck = {
  name: "admits exactly 50 of 200 concurrent requests against 50 a minute",
  async run(subject) {
    const { digest, account } = await newKey();
    await subject.store.apply(account, { op: "put-policy", policy: { name: "rate", digest, requestsPerMinute: 50 } });
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => via(subject, i).apply(account, admit(`t${i}`))),
    );
    same(results.filter((r) => r.ok).length, 50, "admitted");
    for (const refused of results.filter((r) => !r.ok)) {
      check("refusal" in refused && refused.refusal.kind === "rate", `refused for ${JSON.stringify(refused)}`);
      check("retryAfterMs" in refused && (refused.retryAfterMs ?? 0) > 0, "a rate refusal says when to retry");
    }
    const view = await subject.store.apply(account, { op: "view", now: T0 });
    same(viewOf(view)?.inFlight, 50, "requests in flight");
  },
};

/**
 * 100 requests at once against a daily cap of 25 reservations: each settles with less, with
 * nothing (`actual: null`), with exactly its reservation, or never (it expires). Spend never passes
 * the cap, and is exactly what the admitted requests were charged.
 */
const spendCap: LimitStoreCheck = {
  name: "holds a spend cap under 100 concurrent admissions and settlements, some never settled",
  async run(subject) {
    const { digest, account } = await newKey();
    const cap = 1_000_000; // "0.001" USD
    const reserve = 40_000;
    const policy: KeyPolicy = { name: "spend", digest, dailyUsd: "0.001", monthlyUsd: "1" };
    await subject.store.apply(account, { op: "put-policy", policy });
    const charged = await Promise.all(
      Array.from({ length: 100 }, async (_, i) => {
        const store = via(subject, i);
        const admitted = await store.apply(account, admit(`s${i}`, reserve));
        if (!admitted.ok) return 0;
        if (i % 4 === 2) return reserve; // never settled: expires, charged its reservation
        const actual = i % 4 === 0 ? charge(10_000) : i % 4 === 1 ? null : charge(reserve);
        await store.apply(account, { op: "settle", now: T0, ticket: `s${i}`, actual });
        return actual === null ? reserve : actual.nano;
      }),
    );
    const admittedCount = charged.filter((nano) => nano > 0).length;
    check(admittedCount >= cap / reserve, `only ${admittedCount} admitted; at least ${cap / reserve} fit`);
    const after = await subject.store.apply(account, { op: "view", now: T0 + 2 * HOUR });
    const spent = charged.reduce((sum, nano) => sum + nano, 0);
    same(viewOf(after)?.inFlight, 0, "requests in flight once the rest expired");
    same(viewOf(after)?.day.nano, spent, "spend (nano-dollars) of the day");
    check(spent <= cap, `spent ${spent} nano-dollars, over the cap of ${cap}`);
    const refused = await subject.store.apply(account, admit("late", cap - spent + 1, "m", T0 + 2 * HOUR));
    check(!refused.ok && refused.refusal.kind === "spend", `past the cap: ${JSON.stringify(refused)}`);
  },
};

const policyChange: LimitStoreCheck = {
  name: "applies a policy change to the very next admission",
  async run(subject) {
    const { digest, account } = await newKey();
    const other = subject.twin ?? subject.store;
    const put = (policy: Omit<KeyPolicy, "digest" | "name">) =>
      other.apply(account, { op: "put-policy", policy: { name: "change", digest, ...policy } });
    const kind = (result: AccountResult) => (result.ok ? "ok" : result.refusal.kind);
    same(kind(await subject.store.apply(account, admit("a"))), "unknown-key", "before any policy");
    await put({ requestsPerMinute: 1 });
    same(kind(await subject.store.apply(account, admit("b"))), "ok", "first request");
    same(kind(await subject.store.apply(account, admit("c"))), "rate", "second request at 1 a minute");
    await put({ requestsPerMinute: 3 });
    same(kind(await subject.store.apply(account, admit("d"))), "ok", "right after raising the limit to 3");
    await put({ requestsPerMinute: 3, models: ["allowed"] });
    same(kind(await subject.store.apply(account, admit("e", 1, "other"))), "model-not-allowed", "another model");
    same(kind(await subject.store.apply(account, admit("f", 1, "allowed"))), "ok", "the allowed model");
    await other.apply(account, { op: "delete-policy" });
    same(kind(await subject.store.apply(account, admit("g"))), "unknown-key", "after the policy was deleted");
  },
};

const listing: LimitStoreCheck = {
  name: "lists the accounts of keys with a policy, not model accounts, and forgets deleted keys",
  async run(subject) {
    const keys = await Promise.all([newKey(), newKey(), newKey()]);
    for (const { digest, account } of keys)
      await subject.store.apply(account, { op: "put-policy", policy: { name: "listed", digest } });
    const model = `model:caller-${crypto.randomUUID()}:m`;
    await subject.store.apply(model, { ...admit("x"), limits: { rates: [] } });
    const ours = (names: string[]) => names.filter((name) => keys.some((k) => k.account === name)).sort();
    same(ours(await subject.store.list("key:")), keys.map((k) => k.account).sort(), "listed key accounts");
    check(!(await subject.store.list("key:")).includes(model), "a model account is not a key account");
    await subject.store.apply(keys[0]!.account, { op: "delete-policy" });
    const after = await (subject.twin ?? subject.store).list("key:");
    same(
      ours(after),
      keys
        .slice(1)
        .map((k) => k.account)
        .sort(),
      "after deleting one",
    );
  },
};

/**
 * Reconciliation finds a caller's model accounts with `list("model:<caller id>:")`: an account stored
 * by its first admission (no policy, from either instance) is listed like a key's, once, and an
 * unknown key's refused admission stores nothing to list.
 */
const modelListing: LimitStoreCheck = {
  name: "lists model accounts from their first admission, from every instance, and nothing for a refusal",
  async run(subject) {
    const caller = `model:caller-${crypto.randomUUID()}:`;
    const models = [`${caller}a/one`, `${caller}b/two`];
    const limits: AccountLimits = { rates: [] };
    await Promise.all(
      Array.from({ length: 6 }, (_, i) => via(subject, i).apply(models[i % 2]!, { ...admit(`l${i}`), limits })),
    );
    same((await subject.store.list(caller)).sort(), models, "the caller's model accounts");
    same((await (subject.twin ?? subject.store).list(caller)).sort(), models, "seen from the other instance");
    const { account } = await newKey();
    const refused = await subject.store.apply(account, admit("unknown"));
    check(!refused.ok, "an admission for a key without a policy is refused");
    check(!(await subject.store.list("key:")).includes(account), "a refused unknown key is not listed");
    for (const model of models) {
      const view = await subject.store.apply(model, { op: "view", now: T0, limits });
      same(viewOf(view)?.inFlight, 3, `requests in flight on ${model}`);
    }
  },
};

const modelAccount: LimitStoreCheck = {
  name: "keeps a model account with the limits each op brings, and settles a ticket once",
  async run(subject) {
    const account = `model:caller-${crypto.randomUUID()}:deepseek`;
    const limits: AccountLimits = { rates: [{ measure: "requests", limit: 2, periodMs: 60_000 }], concurrent: 5 };
    const op = (ticket: string) => ({ ...admit(ticket), limits });
    const results = [];
    for (const ticket of ["a", "b", "c"]) results.push(await subject.store.apply(account, op(ticket)));
    same(
      results.map((r) => r.ok),
      [true, true, false],
      "admissions at 2 a minute",
    );
    const settle: AccountOp = { op: "settle", now: T0, ticket: "a", actual: charge(700), limits };
    await subject.store.apply(account, settle);
    const twice = await (subject.twin ?? subject.store).apply(account, settle);
    same(viewOf(twice)?.inFlight, 1, "in flight after settling one ticket twice");
    same(viewOf(twice)?.day, { key: "2026-11-22", requests: 1, inputTokens: 60, outputTokens: 40, nano: 700 }, "day");
  },
};

/** Every check, in order. */
export const LIMIT_STORE_CHECKS: readonly LimitStoreCheck[] = [
  rateOf50,
  spendCap,
  policyChange,
  listing,
  modelListing,
  modelAccount,
];

/** Runs every check on one subject; throws on the first failure, else returns the names of the checks. */
export async function limitStoreContract(subject: LimitStoreUnderTest): Promise<string[]> {
  for (const one of LIMIT_STORE_CHECKS) await one.run(subject);
  return LIMIT_STORE_CHECKS.map((one) => one.name);
}
