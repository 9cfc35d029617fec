// `GET /v1/admin/reconcile`: the gateway's own totals for today and this month (its model accounts, and
// its key accounts) against Baseten's usage (tokens) and billing (USD) for the operator's workspace,
// with the drift per model. The gateway only counts what went through it; Baseten counts everything.
import { createBasetenClient, type FetchLike, type InferenceModel, type ModelApi } from "@baseten-edge/core";
import { parseErrorBody } from "@baseten-edge/core/internal";
import type { Context } from "hono";
import type { Authenticator, Caller } from "../auth.ts";
import type { CatalogSource } from "../catalog.ts";
import { slugOf } from "../model-names.ts";
import { error } from "../routes/errors.ts";
import type { Env, RouteTable } from "../routes/table.ts";
import { type AccountLimits, type Nano, nanoToUsd, type PeriodTotals, periodKeys, usdToNano } from "./ledger.ts";
import { ruleFor } from "./model-limits.ts";
import { isAdmin } from "./routes.ts";
import type { LimitStore } from "./store.ts";

export interface ReconcileDeps {
  store: LimitStore;
  auth: Authenticator;
  source: CatalogSource;
  adminTokenHashes: readonly string[];
  /** Whether model accounts are kept (operator mode with MODEL_LIMITS): the per-model figures come from them. */
  modelLimits: boolean;
  managementUrl: string;
  fetch: FetchLike | undefined;
  now: () => number;
}

/** Tokens and spend for one model (or all) in one period. `inputTokens` are uncached ones. */
interface Totals {
  requests: number;
  inputTokens: number;
  outputTokens: number;
  nano: Nano;
}
type ByModel = Map<string, Totals & { model: string }>;
interface Periods {
  day: ByModel;
  month: ByModel;
}

const NOTE =
  "Gateway totals cover only the traffic that went through this gateway; Baseten's cover every call made with the workspace's keys. Drift is Baseten minus the gateway: positive when Baseten counted more (calls that bypassed the gateway, or usage the gateway never saw and charged at its reservation instead), negative when the gateway counted more (reservations charged in full, requests Baseten has not billed yet). Baseten's usage and billing can lag by minutes.";
/** Baseten's cost history starts on this day (its billing API refuses earlier dates). */
const BILLING_START = "2026-08-05";
const LOAD_TIMEOUT_MS = 10_000;

export function registerReconcileRoute(routes: RouteTable, deps: ReconcileDeps): void {
  routes.get("/v1/admin/reconcile", (c) => reconcile(c, deps));
}

async function reconcile(c: Context<Env>, deps: ReconcileDeps): Promise<Response> {
  if (!isAdmin(c.req.raw, deps.adminTokenHashes))
    return error(c, 401, "This route needs an admin token (ADMIN_TOKENS).");
  const today = periodKeys(deps.now());
  const day = c.req.query("day") ?? today.day;
  if (day !== today.day) {
    const shape = /^\d{4}-\d{2}-\d{2}$/.test(day) ? "" : " `day` is a UTC date, YYYY-MM-DD.";
    return error(
      c,
      400,
      `The gateway keeps totals for the current UTC day and month only: ask for day=${today.day} (or leave it out).${shape}`,
    );
  }
  const caller = await deps.auth.operatorCaller();
  let baseten: Periods;
  let gateway: { models: Periods | null; keys: { day: Totals; month: Totals } };
  try {
    [baseten, gateway] = await Promise.all([
      basetenTotals(deps, caller, today),
      gatewayTotals(deps, caller, c.env.waitUntil),
    ]);
  } catch (thrown) {
    return error(c, 503, `Cannot reconcile now: ${reason(thrown, caller.authorization.apiKey)}`);
  }
  const period = (name: "day" | "month") => {
    const keys = gateway.keys[name];
    return {
      period: today[name],
      ...compare(gateway.models?.[name] ?? null, baseten[name], keys),
      gateway_keys: totalsJson(keys),
    };
  };
  const body = {
    object: "reconciliation",
    note: NOTE,
    gateway_totals_from: gateway.models ? "model_accounts" : "key_accounts",
    day: period("day"),
    month: period("month"),
  };
  return c.json(body, 200, { "cache-control": "no-store" });
}

/**
 * The gateway's totals: per model from the model accounts (every request through the gateway, static
 * tokens included), and over all gateway keys from their accounts.
 */
async function gatewayTotals(deps: ReconcileDeps, caller: Caller, waitUntil: Env["Bindings"]["waitUntil"]) {
  const { store, now } = deps;
  const keys = { day: empty(), month: empty() };
  for (const account of await store.list("key:")) {
    const result = await store.apply(account, { op: "view", now: now() });
    if (!("view" in result) || !result.view) continue;
    add(keys.day, result.view.day);
    add(keys.month, result.view.month);
  }
  if (!deps.modelLimits) return { models: null, keys };
  const prefix = `model:${caller.id}:`;
  const accounts = await store.list(prefix);
  const models: Periods = { day: new Map(), month: new Map() };
  if (!accounts.length) return { models, keys };
  const [rows, listed] = await Promise.all([
    deps.source.catalog(caller, waitUntil).then((lookup) => lookup.entry.value),
    deps.source.models(caller, waitUntil).then((lookup) => lookup.entry.value),
  ]);
  for (const account of accounts) {
    const id = account.slice(prefix.length);
    const limits = limitsOf(rows, listed, id);
    const result = await store.apply(account, { op: "view", now: now(), limits });
    if (!("view" in result) || !result.view) continue;
    add(entry(models.day, id), result.view.day);
    add(entry(models.month, id), result.view.month);
  }
  return { models, keys };
}

/**
 * A model account is viewed under the limits it is admitted with (a view drops the buckets of limits
 * it is not given); a model gone from the catalog has none left to keep.
 */
function limitsOf(rows: readonly ModelApi[], listed: readonly InferenceModel[], id: string): AccountLimits {
  const model = listed.find((m) => m.id === id);
  return (model && ruleFor(rows, model)?.limits) || { rates: [] };
}

/** Baseten's usage (tokens, 1-day buckets) and billing (USD per day) per model, from the month's start to today. */
async function basetenTotals(deps: ReconcileDeps, caller: Caller, today: { day: string; month: string }) {
  const client = createBasetenClient({
    apiKey: caller.authorization.apiKey,
    authScheme: caller.authorization.scheme,
    baseUrl: deps.managementUrl,
    maxRetries: 1,
    timeoutMs: LOAD_TIMEOUT_MS,
    ...(deps.fetch && { fetch: deps.fetch }),
  });
  const monthStart = `${today.month}-01`;
  const end = new Date(Date.parse(`${today.day}T00:00:00Z`) + 86_400_000).toISOString();
  const totals: Periods = { day: new Map(), month: new Map() };
  const usage = await client.raw.GET("/v1/model_apis/usage", {
    params: {
      query: {
        start_time: `${monthStart}T00:00:00Z`,
        end_time: end,
        bucket_width: "1d",
        group_by: ["model"],
        limit: 31,
      },
    },
  });
  for (const bucket of checked("usage", usage).items) {
    for (const result of bucket.results ?? []) {
      const model = result.model ?? "(all models)";
      const counts = {
        requests: result.request_count,
        inputTokens: result.uncached_input_tokens,
        outputTokens: result.output_tokens,
        nano: 0,
      };
      if (bucket.start_time.startsWith(today.day)) add(entry(totals.day, model), counts);
      add(entry(totals.month, model), counts);
    }
  }
  const startDate = monthStart < BILLING_START ? BILLING_START : monthStart;
  const costs = await client.raw.GET("/v1/billing/model_apis", {
    params: { query: { start_date: startDate, end_date: end.slice(0, 10), group_by: ["model"], limit: 31 } },
  });
  for (const bucket of checked("billing", costs).items) {
    for (const result of bucket.results ?? []) {
      const nano = usdToNano(result.subtotal);
      const model = result.model ?? "(all models)";
      if (bucket.date === today.day) entry(totals.day, model).nano += nano;
      entry(totals.month, model).nano += nano;
    }
  }
  return totals;
}

/** The page's data, or a `BasetenAnswer` error naming the API and its status. */
function checked<T>(api: string, answer: { data?: T; error?: unknown; response: Response }): T {
  if (answer.data !== undefined && answer.response.ok) return answer.data;
  const { message } = parseErrorBody(answer.error);
  throw new BasetenAnswer(`Baseten's ${api} API answered ${answer.response.status}${message ? `: ${message}` : ""}`);
}

class BasetenAnswer extends Error {
  override name = "BasetenAnswer";
}

/** Why reconciling failed, in words, without the workspace's key even if an answer echoed it. */
function reason(thrown: unknown, apiKey: string): string {
  const text =
    thrown instanceof BasetenAnswer
      ? thrown.message
      : `Baseten could not be reached or the catalog could not be loaded (${thrown instanceof Error ? thrown.name : "error"}).`;
  return text.split(apiKey).join("[key]").slice(0, 500);
}

/** Per-model rows (joined by catalog slug, so an inference id and a slug meet) and the totals, with drift. */
function compare(gateway: ByModel | null, baseten: ByModel, keys: Totals) {
  const names = new Set([...(gateway?.keys() ?? []), ...baseten.keys()]);
  const models = [...names].sort().map((name) => {
    const ours = gateway ? (gateway.get(name) ?? { ...empty(), model: name }) : null;
    const theirs = baseten.get(name) ?? { ...empty(), model: name };
    return { model: ours?.model ?? theirs.model, ...row(ours, theirs) };
  });
  const sum = (map: ByModel) => [...map.values()].reduce((total, t) => add(total, t), empty());
  return { models, total: row(gateway ? sum(gateway) : keys, sum(baseten)) };
}

function row(gateway: Totals | null, baseten: Totals) {
  const tokens = (t: Totals) => t.inputTokens + t.outputTokens;
  const relative = (drift: number, base: number) => (base === 0 ? (drift === 0 ? 0 : null) : drift / base);
  const drift = gateway && {
    input_tokens: baseten.inputTokens - gateway.inputTokens,
    output_tokens: baseten.outputTokens - gateway.outputTokens,
    tokens: tokens(baseten) - tokens(gateway),
    tokens_relative: relative(tokens(baseten) - tokens(gateway), tokens(baseten)),
    usd: signedUsd(baseten.nano - gateway.nano),
    usd_relative: relative(baseten.nano - gateway.nano, baseten.nano),
  };
  return { gateway: gateway && totalsJson(gateway), baseten: totalsJson(baseten), drift };
}

function totalsJson(t: Totals) {
  return {
    requests: t.requests,
    uncached_input_tokens: t.inputTokens,
    output_tokens: t.outputTokens,
    tokens: t.inputTokens + t.outputTokens,
    usd: nanoToUsd(t.nano),
  };
}

const signedUsd = (nano: Nano) => (nano < 0 ? `-${nanoToUsd(-nano)}` : nanoToUsd(nano));
const empty = (): Totals => ({ requests: 0, inputTokens: 0, outputTokens: 0, nano: 0 });

function entry(map: ByModel, model: string) {
  const key = slugOf(model) || model;
  const found = map.get(key) ?? { ...empty(), model };
  map.set(key, found);
  return found;
}

function add(total: Totals, more: Totals | PeriodTotals): Totals {
  total.requests += more.requests;
  total.inputTokens += more.inputTokens;
  total.outputTokens += more.outputTokens;
  total.nano += more.nano;
  return total;
}
