// Enforcement in the relay: admit a checked request before it goes upstream (the key's account, then
// the model's), and settle both when the answer ends — streamed or not, complete, cancelled or broken.
import type { InferenceModel } from "@baseten-edge/core";
import type { Caller } from "../auth.ts";
import type { CatalogSource } from "../catalog.ts";
import { clip } from "../echo.ts";
import { findModel } from "../model-names.ts";
import type { GatewayEvent } from "../options.ts";
import type { Protocol } from "../relay/protocols.ts";
import { Refusal } from "../relay/request.ts";
import type { KeyPolicy } from "./account.ts";
import { actualCharge, ERROR_CHARGE, NO_CHARGE, worstCase } from "./charge.ts";
import { rateHeaders, refusalAnswer } from "./headers.ts";
import type { AccountLimits, AccountView, Charge } from "./ledger.ts";
import { type ModelRule, ruleFor } from "./model-limits.ts";
import type { LimitStore } from "./store.ts";

type WaitUntil = ((promise: Promise<unknown>) => void) | undefined;

export interface LimiterOptions {
  store: LimitStore;
  source: CatalogSource;
  /** Keep the catalog's per-model limits for the workspace (operator mode). */
  modelLimits: boolean;
  /** A ticket lives for the first-byte timeout plus this bound on a stream, then frees itself. */
  firstByteTimeoutMs: number;
  streamMs: number;
  now: () => number;
  log: (event: GatewayEvent) => void;
}

/** What the limiter reads of a relayed call (relay.ts's `Call` and `Checked`). */
export interface LimitedCall {
  route: { path: string; protocol: Protocol };
  requestId: string;
  waitUntil: WaitUntil;
  client: string | undefined;
  event: GatewayEvent;
}
export interface LimitedRequest {
  caller: Caller;
  body: Uint8Array;
  listed: InferenceModel | undefined;
  maxTokens: number | undefined;
}

/** One admitted account: where to settle, and the limits to settle under (a model account's). */
interface Held {
  account: string;
  limits?: AccountLimits;
}

/**
 * Routes Baseten does not bill (and does not serve today): a gateway key's policy still applies (its
 * allowed models, its request rate), but they reserve and cost no tokens or spend, and Baseten's
 * per-model limits, which are about inference, do not count them.
 */
const FREE_ROUTES = new Set(["/v1/messages/count_tokens"]);
const FREE: ReturnType<typeof worstCase> = { charge: ERROR_CHARGE, priced: true };

/** An admitted request: its rate-limit headers for the answer, and its settlement when the answer ends. */
export class Admission {
  #settled = false;
  constructor(
    private readonly limiter: Limiter,
    private readonly held: readonly Held[],
    private readonly call: LimitedCall,
    private readonly listed: InferenceModel | undefined,
    private readonly headers: Headers,
  ) {}

  /** Adds the protocol's rate-limit headers to an answer (OpenAI and Anthropic send them on successes too). */
  decorate(headers: Headers): void {
    for (const [name, value] of this.headers) headers.set(name, value);
  }

  /**
   * Settles once, from the request's log event (its status and usage), in `waitUntil`; `unsent`: nothing
   * reached Baseten (the client left first), so the reservation is released at no charge.
   */
  settle(event: GatewayEvent, unsent = false): void {
    if (this.#settled) return;
    this.#settled = true;
    this.limiter.settle(this.held, this.call, unsent ? NO_CHARGE : chargeOf(event, this.listed));
  }
}

/**
 * Statuses after which Baseten may have done (and billed) the work without the gateway seeing its
 * usage: the client left (499), the answer broke off or Baseten could not be reached (502), a
 * first-byte timeout (504).
 */
const MAYBE_PROCESSED = new Set([499, 502, 504]);

/**
 * The real charge from the request's event. Usage seen (Baseten sends a running total on every
 * chunk, so a cancelled or broken stream has its last one) → that usage. No usage: an error answer
 * from Baseten costs nothing; anything else (a stream without usage, a timeout, a broken answer, a
 * client that left while Baseten worked) is charged its whole reservation (`null`): errs high.
 */
function chargeOf(event: GatewayEvent, listed: InferenceModel | undefined): Charge | null {
  const { input_tokens: input, output_tokens: output, cached_tokens: cached, status } = event;
  if (typeof input === "number" && typeof output === "number") {
    return actualCharge(listed, { inputTokens: input, outputTokens: output, cachedInputTokens: Number(cached ?? 0) });
  }
  const refused = typeof status === "number" && status >= 400 && !MAYBE_PROCESSED.has(status);
  return refused ? ERROR_CHARGE : null;
}

export class Limiter {
  readonly #options: LimiterOptions;
  readonly #warned = new Set<string>();

  constructor(options: LimiterOptions) {
    this.#options = options;
  }

  /**
   * Admits a checked request in the key's account (its policy, spend caps, allowed models) and the
   * model's (Baseten's limits for the workspace), both at once; the key's refusal is the one answered. A refusal is answered in the route's protocol;
   * null when nothing limits this request.
   */
  async admit(call: LimitedCall, checked: LimitedRequest): Promise<Admission | Refusal | null> {
    const free = FREE_ROUTES.has(call.route.path);
    const { caller } = checked;
    const keyAccount = caller.key ? `key:${caller.key}` : null;
    const modelLimits = this.#options.modelLimits && !free;
    if (!keyAccount && !modelLimits) return null;
    const listed = checked.listed ?? (await this.#listed(call, caller));
    const rule = modelLimits && listed ? await this.#rule(call, caller, listed) : null;
    if (!keyAccount && !rule) return null;
    const reservation = free ? FREE : worstCase(listed, checked.body.byteLength, checked.maxTokens);
    const views: AccountView[] = [];
    const protocol = call.route.protocol.name;
    const modelAccount = rule && listed ? `model:${caller.id}:${listed.id}` : null;
    // Both accounts at once: one store round trip of latency instead of two. What one admitted while
    // the other refused is released (settled at no charge): nothing was sent.
    const [keyRefused, modelRefused] = await Promise.all([
      keyAccount ? this.#admitKey(call, keyAccount, listed, reservation, views) : null,
      rule && modelAccount ? this.#admitModel(call, modelAccount, rule, reservation.charge, views) : null,
    ]);
    const held: Held[] = [];
    if (keyAccount && !keyRefused) held.push({ account: keyAccount });
    if (rule && modelAccount && !modelRefused) held.push({ account: modelAccount, limits: rule.limits });
    const refused = keyRefused ?? modelRefused;
    if (refused) {
      this.settle(held, call, NO_CHARGE);
      return refused;
    }
    return new Admission(this, held, call, listed, rateHeaders(protocol, views, this.#options.now()));
  }

  /** The key's admission; a refusal, or null once admitted (its view pushed to `views`). */
  async #admitKey(
    call: LimitedCall,
    account: string,
    listed: InferenceModel | undefined,
    reservation: ReturnType<typeof worstCase>,
    views: AccountView[],
  ): Promise<Refusal | null> {
    const { store, now, firstByteTimeoutMs, streamMs } = this.#options;
    const at = now();
    const op = {
      op: "admit" as const,
      now: at,
      ticket: call.requestId,
      model: listed?.id ?? String(call.event.model),
      charge: reservation.charge,
      expiresAt: at + firstByteTimeoutMs + streamMs,
    };
    const result = await store.apply(account, op).catch((error: unknown) => {
      // The store may have applied the admission before its reply was lost: release that ticket (a no-op
      // when it was not applied), so it does not hold a place until it expires.
      this.settle([{ account }], call, NO_CHARGE);
      return this.#storeFailed(error);
    });
    if (result instanceof Refusal) return result;
    if (result.policy) call.event.key = result.policy.name;
    const protocol = call.route.protocol.name;
    if (!result.ok) {
      call.event.limited = `key:${result.refusal.kind}`;
      if (!("view" in result)) {
        if (result.refusal.kind === "unknown-key") return new Refusal(401, "Invalid gateway token.");
        const model = JSON.stringify(clip(String(call.event.model)));
        return new Refusal(403, `This gateway key may not use the model ${model}.`, "model_not_allowed");
      }
      const headers = rateHeaders(protocol, [result.view], at);
      return refusalAnswer(protocol, result.refusal, result.retryAfterMs, "this gateway key", headers);
    }
    if (!reservation.priced && hasSpendCap(result.policy)) {
      this.settle([{ account }], call, NO_CHARGE);
      call.event.limited = "key:unpriced-model";
      const message =
        "This gateway key has a spend cap, and the model's price is unknown (not listed, or listed without a price): its cost cannot be bounded, so it is refused.";
      return new Refusal(403, message, "model_price_unknown");
    }
    if (result.view) views.push(result.view);
    return null;
  }

  /** The model's admission under Baseten's limits for the workspace; a refusal, or null once admitted. */
  async #admitModel(
    call: LimitedCall,
    account: string,
    rule: ModelRule,
    charge: Charge,
    views: AccountView[],
  ): Promise<Refusal | null> {
    const { store, now, firstByteTimeoutMs, streamMs } = this.#options;
    const protocol = call.route.protocol.name;
    const whose = "Baseten's limits for this model in this workspace";
    if (rule.blocked) {
      call.event.limited = "model:blocked";
      return new Refusal(429, `${whose} admit no requests (a limit of 0).`, "rate_limit_exceeded");
    }
    const at = now();
    const op = {
      op: "admit" as const,
      now: at,
      ticket: call.requestId,
      model: account,
      charge,
      expiresAt: at + firstByteTimeoutMs + streamMs,
      limits: rule.limits,
    };
    const result = await store.apply(account, op).catch((error: unknown) => {
      // Baseten enforces its own limits anyway: a store outage must not stop every request. An admission
      // applied before its reply was lost is released, as for a key.
      this.#options.log({ event: "limits_store_error", op: "admit-model", error: errorName(error) });
      this.settle([{ account, limits: rule.limits }], call, NO_CHARGE);
      return null;
    });
    if (!result || !("view" in result) || !result.view) return null;
    if (!result.ok) {
      call.event.limited = `model:${result.refusal.kind}`;
      const headers = rateHeaders(protocol, [...views, result.view], at);
      return refusalAnswer(protocol, result.refusal, result.retryAfterMs, whose, headers);
    }
    views.push(result.view);
    return null;
  }

  /** Settles the held accounts in `waitUntil` (a failure is logged: the ticket then expires, charged in full). */
  settle(held: readonly Held[], call: LimitedCall, actual: Charge | null): void {
    if (!held.length) return;
    const { store, now, log } = this.#options;
    const at = now();
    const done = Promise.all(
      held.map(({ account, limits }) =>
        store.apply(account, { op: "settle", now: at, ticket: call.requestId, actual, ...(limits && { limits }) }),
      ),
    ).catch((error: unknown) => log({ event: "limits_store_error", op: "settle", error: errorName(error) }));
    call.waitUntil?.(done);
  }

  /** The listed model when the relay had no fresh list: limits need its prices and row, so they wait for it. */
  async #listed(call: LimitedCall, caller: Caller): Promise<InferenceModel | undefined> {
    const lookup = await this.#options.source.models(caller, call.waitUntil, call.client).catch(() => null);
    return lookup ? findModel(lookup.entry.value, String(call.event.model))?.model : undefined;
  }

  /** The model's rule from the caller's catalog; none when the catalog cannot be loaded (logged once). */
  async #rule(call: LimitedCall, caller: Caller, listed: InferenceModel): Promise<ModelRule | null> {
    const lookup = await this.#options.source.catalog(caller, call.waitUntil, call.client).catch(() => null);
    if (!lookup) {
      this.#warnOnce("catalog", { event: "model_limits_unavailable", reason: "the catalog could not be loaded" });
      return null;
    }
    const rule = ruleFor(lookup.entry.value, listed);
    if (rule?.unrecognised.length) {
      const types = rule.unrecognised.map((l) => `${l.type}/${l.unit}`).join(",");
      this.#warnOnce(`unrecognised:${types}`, { event: "model_limits_unrecognised", model: listed.id, limits: types });
    }
    return rule;
  }

  #warnOnce(key: string, event: GatewayEvent): void {
    if (this.#warned.has(key)) return;
    this.#warned.add(key);
    this.#options.log(event);
  }

  #storeFailed(error: unknown): Refusal {
    this.#options.log({ event: "limits_store_error", op: "admit-key", error: errorName(error) });
    return new Refusal(503, "The gateway's limits store is unavailable; try again shortly.");
  }
}

function hasSpendCap(policy: KeyPolicy | null): boolean {
  return policy?.dailyUsd !== undefined || policy?.monthlyUsd !== undefined;
}

const errorName = (error: unknown) => (error instanceof Error ? error.name : "unknown");
