// One limited account as stored: a gateway key's policy with its ledger, or a model's ledger in the
// operator's workspace (limits from the catalog, no policy). `step` is what every store runs
// atomically; a Durable Object runs it inside the object, the other stores in a read-modify-write.
import { slugOf } from "../model-names.ts";
import { type AccountLimits, type AccountState, advance, type Charge, type LedgerResult, usdToNano } from "./ledger.ts";

/** A gateway key's policy. The key itself is never stored: only its SHA-256 digest. */
export interface KeyPolicy {
  /** A label for people ("team-a"); shown in usage, never used to look the key up. */
  name: string;
  /** SHA-256 hex digest of the key (64 lowercase hex characters). */
  digest: string;
  /** Models the key may call (inference ids or catalog names); absent: every model. */
  models?: string[];
  requestsPerMinute?: number;
  tokensPerMinute?: number;
  /** Requests in flight at once (streams included). */
  concurrent?: number;
  /** Spend caps in USD (exact decimal strings, "50" or "0.25"), per UTC day and month. */
  dailyUsd?: string;
  monthlyUsd?: string;
}

/** The ledger limits a policy sets. */
export function limitsOf(policy: KeyPolicy): AccountLimits {
  const rates: AccountLimits["rates"][number][] = [];
  if (policy.requestsPerMinute !== undefined)
    rates.push({ measure: "requests", limit: policy.requestsPerMinute, periodMs: 60_000 });
  if (policy.tokensPerMinute !== undefined)
    rates.push({ measure: "tokens", limit: policy.tokensPerMinute, periodMs: 60_000 });
  return {
    rates,
    ...(policy.concurrent !== undefined && { concurrent: policy.concurrent }),
    ...(policy.dailyUsd !== undefined && { dailyNano: usdToNano(policy.dailyUsd) }),
    ...(policy.monthlyUsd !== undefined && { monthlyNano: usdToNano(policy.monthlyUsd) }),
  };
}

export interface AccountDoc {
  policy: KeyPolicy | null;
  ledger: AccountState | null;
}

/** `limits` absent: the account's stored policy sets them (a key account); present: a model account. */
export type AccountOp =
  | { op: "put-policy"; policy: KeyPolicy }
  | { op: "delete-policy" }
  | {
      op: "admit";
      now: number;
      ticket: string;
      model: string;
      charge: Charge;
      expiresAt: number;
      limits?: AccountLimits;
    }
  | { op: "settle"; now: number; ticket: string; actual: Charge | null; limits?: AccountLimits }
  | { op: "view"; now: number; limits?: AccountLimits };

export type AccountResult =
  | (LedgerResult & { policy: KeyPolicy | null })
  | { ok: false; refusal: { kind: "unknown-key" } | { kind: "model-not-allowed" }; policy: KeyPolicy | null }
  | { ok: true; policy: KeyPolicy | null; view?: undefined };

/**
 * Applies one op to an account's stored text (null: never stored) and returns the text to store
 * (null: delete it) with the result. Pure, like `reduce`: a store may run it again after a conflict.
 */
export function step(text: string | null, op: AccountOp): { next: string | null; result: AccountResult } {
  const doc: AccountDoc = text ? (JSON.parse(text) as AccountDoc) : { policy: null, ledger: null };
  if (op.op === "put-policy") {
    doc.policy = op.policy;
    return { next: JSON.stringify(doc), result: { ok: true, policy: doc.policy } };
  }
  if (op.op === "delete-policy") return { next: null, result: { ok: true, policy: null } };
  const limits = op.limits ?? (doc.policy ? limitsOf(doc.policy) : null);
  if (!limits) return { next: text, result: { ok: false, refusal: { kind: "unknown-key" }, policy: null } };
  if (op.op === "admit" && doc.policy?.models && !allows(doc.policy.models, op.model)) {
    return { next: text, result: { ok: false, refusal: { kind: "model-not-allowed" }, policy: doc.policy } };
  }
  // The ledger was parsed from `text` just above: it is ours to change in place.
  const { state, result } = advance(doc.ledger, { ...op, limits } as Parameters<typeof advance>[1]);
  // A view or a refusal changes nothing that matters (the same steps replay from the stored state):
  // it is not written back, so a look-up or a 429 costs a store no write.
  if (op.op === "view" || !result.ok) return { next: text, result: { ...result, policy: doc.policy } };
  doc.ledger = state;
  return { next: JSON.stringify(doc), result: { ...result, policy: doc.policy } };
}

/**
 * Whether an allow-list names a model: by inference id (any case) or by catalog name, since the relay
 * admits with the inference id (`deepseek-ai/DeepSeek-V4-Pro` is allowed by `deepseek-v4-pro` too).
 */
export function allows(models: readonly string[], model: string): boolean {
  const id = model.toLowerCase();
  const slug = slugOf(model);
  return models.some((name) => name.toLowerCase() === id || (!name.includes("/") && name.toLowerCase() === slug));
}
