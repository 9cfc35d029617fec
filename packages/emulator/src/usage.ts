// `GET /v1/model_apis/usage` (tokens in time buckets) and `GET /v1/billing/model_apis` (USD per UTC day),
// answered from the request log: every inference reply the emulator made, billed at its catalog prices.
import { estimateCost, formatDecimal, parseDecimal } from "@baseten-edge/core";
import { decodeOpaque, encodeOpaque } from "./cursor.ts";
import { errorResponse, jsonResponse } from "./http.ts";
import type { RequestRecord } from "./request-log.ts";
import type { EmulatorState } from "./state.ts";
import type { Workspace } from "./workspaces.ts";

const MINUTE = 60_000;
const DAY = 86_400_000;
const WIDTHS: Record<string, { ms: number; limit: number; max: number }> = {
  "1m": { ms: MINUTE, limit: 60, max: 1440 },
  "1h": { ms: 60 * MINUTE, limit: 24, max: 168 },
  "1d": { ms: DAY, limit: 7, max: 31 },
};
/** Usage is kept 92 days; cost history starts on this day (a partial one). */
const RETENTION_MS = 92 * DAY;
const BILLING_START = "2026-08-05";
const USAGE_DIMENSIONS = ["api_key", "user", "model"];
const COST_DIMENSIONS = ["api_key_prefix", "user", "model", "service_tier"];

/** A billed reply: a request in the log with usage, from this workspace. */
type Billed = RequestRecord & { model: string; usage: NonNullable<RequestRecord["usage"]> };

class QueryError extends Error {}

function billed(state: EmulatorState, workspace: Workspace): Billed[] {
  return state.log
    .list()
    .filter((r): r is Billed => r.usage !== null && r.model !== null && !r.replayed && r.workspace === workspace.id);
}

/** `GET /v1/model_apis/usage`: contiguous buckets from `start_time`, grouped by `group_by` (default model). */
export function modelApisUsage(state: EmulatorState, url: URL, workspace: Workspace): Response {
  try {
    const query = usageQuery(state, url.searchParams);
    const records = billed(state, workspace).filter((r) => matchesUsage(r, query));
    const items: unknown[] = [];
    let start = query.start;
    for (; start < query.end && items.length < query.limit; start += query.width) {
      const end = start + query.width;
      const inBucket = end <= state.now() - RETENTION_MS ? [] : records.filter((r) => inRange(r, start, end));
      items.push({ start_time: iso(start), end_time: iso(end), results: usageResults(inBucket, query.groupBy) });
    }
    const hasMore = start < query.end;
    const cursor = hasMore ? encodeOpaque(`usage.${start}`, state.cursorSecret) : null;
    return jsonResponse(200, { items, pagination: { has_more: hasMore, cursor } });
  } catch (error) {
    if (error instanceof QueryError) return errorResponse(400, error.message);
    throw error;
  }
}

function usageQuery(state: EmulatorState, query: URLSearchParams) {
  const widthText = query.get("bucket_width") ?? "1d";
  const width = Object.hasOwn(WIDTHS, widthText) ? WIDTHS[widthText] : undefined;
  if (!width) throw new QueryError(`bucket_width must be 1m, 1h or 1d, got "${widthText}"`);
  const cursor = query.get("cursor");
  let start: number;
  if (cursor) {
    const payload = decodeOpaque(cursor, state.cursorSecret);
    if (!payload?.startsWith("usage.")) throw new QueryError("cursor is not valid: pass the cursor of a previous page");
    start = Number(payload.slice("usage.".length));
  } else {
    const text = query.get("start_time");
    if (!text) throw new QueryError("start_time is required on the first page");
    start = Math.floor(dateTime(text, "start_time") / width.ms) * width.ms;
  }
  const endText = query.get("end_time");
  const end = endText ? dateTime(endText, "end_time") : state.now();
  return {
    start,
    end,
    width: width.ms,
    limit: whole(query.get("limit"), "limit", width.limit, 1, width.max),
    groupBy: dimensions(query, USAGE_DIMENSIONS, ["model"]),
    apiKeys: query.getAll("api_keys"),
    userIds: query.getAll("user_ids"),
    models: query.getAll("models"),
  };
}

function matchesUsage(record: Billed, query: ReturnType<typeof usageQuery>): boolean {
  if (query.apiKeys.length && !query.apiKeys.includes(record.keyPrefix ?? "")) return false;
  if (query.userIds.length) return false; // the emulator attributes no usage to users
  return !query.models.length || query.models.includes(record.model);
}

function usageResults(records: readonly Billed[], groupBy: readonly string[]) {
  const groups = new Map<string, Record<string, string | number | null>>();
  for (const record of records) {
    const dims = {
      api_key_prefix: groupBy.includes("api_key") ? record.keyPrefix : null,
      user_id: null,
      model: groupBy.includes("model") ? record.model : null,
    };
    const id = JSON.stringify(dims);
    const totals = groups.get(id) ?? {
      ...dims,
      input_tokens: 0,
      cached_input_tokens: 0,
      uncached_input_tokens: 0,
      output_tokens: 0,
      request_count: 0,
    };
    const { inputTokens, cachedInputTokens, outputTokens } = record.usage;
    (totals.input_tokens as number) += inputTokens;
    (totals.cached_input_tokens as number) += cachedInputTokens;
    (totals.uncached_input_tokens as number) += inputTokens - cachedInputTokens;
    (totals.output_tokens as number) += outputTokens;
    (totals.request_count as number) += 1;
    groups.set(id, totals);
  }
  const total = (r: Record<string, unknown>) => (r.input_tokens as number) + (r.output_tokens as number);
  return [...groups.values()].sort((a, b) => total(b) - total(a) || String(a.model).localeCompare(String(b.model)));
}

/** `GET /v1/billing/model_apis`: one bucket per UTC day, USD at the catalog's prices, grouped by `group_by`. */
export function modelApisCosts(state: EmulatorState, url: URL, workspace: Workspace): Response {
  try {
    const query = costQuery(state, url.searchParams);
    const records = billed(state, workspace).filter((r) => matchesCost(r, query));
    const items: unknown[] = [];
    let day = query.start;
    for (; day < query.end && items.length < query.limit; day += DAY) {
      const inDay = records.filter((r) => inRange(r, Math.max(day, Date.parse(BILLING_START)), day + DAY));
      items.push({ date: iso(day).slice(0, 10), results: costResults(state, inDay, query.groupBy) });
    }
    const hasMore = day < query.end;
    const cursor = hasMore ? encodeOpaque(`billing.${day}`, state.cursorSecret) : null;
    return jsonResponse(200, { items, pagination: { has_more: hasMore, cursor } });
  } catch (error) {
    if (error instanceof QueryError) return errorResponse(400, error.message);
    throw error;
  }
}

function costQuery(state: EmulatorState, query: URLSearchParams) {
  const today = Math.floor(state.now() / DAY) * DAY;
  const cursor = query.get("cursor");
  let start: number;
  if (cursor) {
    const payload = decodeOpaque(cursor, state.cursorSecret);
    if (!payload?.startsWith("billing."))
      throw new QueryError("cursor is not valid: pass the cursor of a previous page");
    start = Number(payload.slice("billing.".length));
  } else {
    const text = query.get("start_date");
    start = text ? date(text, "start_date") : today - DAY;
    if (start < Date.parse(BILLING_START)) throw new QueryError(`start_date cannot be before ${BILLING_START}`);
  }
  const endText = query.get("end_date");
  const end = endText ? date(endText, "end_date") : today + DAY;
  if (end <= start) throw new QueryError("end_date must be after start_date");
  if (!cursor && end - start > 90 * DAY) throw new QueryError("the date range cannot exceed 90 days");
  return {
    start,
    end,
    limit: whole(query.get("limit"), "limit", 7, 1, 31),
    groupBy: dimensions(query, COST_DIMENSIONS, []),
    apiKeyPrefixes: query.getAll("api_key_prefixes"),
    userIds: query.getAll("user_ids"),
    models: query.getAll("models"),
    serviceTiers: query.getAll("service_tiers"),
  };
}

function matchesCost(record: Billed, query: ReturnType<typeof costQuery>): boolean {
  if (query.apiKeyPrefixes.length && !query.apiKeyPrefixes.includes(record.keyPrefix ?? "")) return false;
  if (query.userIds.length || query.serviceTiers.length) return false; // no user or tier attribution here
  return !query.models.length || query.models.includes(record.model);
}

function costResults(state: EmulatorState, records: readonly Billed[], groupBy: readonly string[]) {
  const groups = new Map<string, { dims: Record<string, unknown>; units: bigint[]; scales: number[] }>();
  for (const record of records) {
    const prefix = groupBy.includes("api_key_prefix") ? record.keyPrefix : null;
    const dims = {
      api_key_prefixes: prefix === null ? null : [prefix],
      user_id: null,
      model: groupBy.includes("model") ? record.model : null,
      service_tier: null,
    };
    const id = JSON.stringify(dims);
    const group = groups.get(id) ?? { dims, units: [] as bigint[], scales: [] as number[] };
    const cost = parseDecimal(costOf(state, record));
    group.units.push(cost.units);
    group.scales.push(cost.scale);
    groups.set(id, group);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, { dims, units, scales }]) => ({ ...dims, subtotal: sum(units, scales) }));
}

/** A reply's cost at its model's prices; "0" for a model without prices. */
function costOf(state: EmulatorState, record: Billed): string {
  const target = state.catalog.inference.get(record.model);
  if (!target) return "0";
  return estimateCost(target.priced, record.usage).totalUsd ?? "0";
}

/** Exact decimal sum of `units / 10^scale` values, as Baseten's decimal strings. */
function sum(units: readonly bigint[], scales: readonly number[]): string {
  const scale = Math.max(0, ...scales);
  let total = 0n;
  for (const [i, value] of units.entries()) total += value * 10n ** BigInt(scale - (scales[i] ?? 0));
  return formatDecimal({ units: total, scale });
}

function dimensions(query: URLSearchParams, allowed: readonly string[], fallback: string[]): string[] {
  const given = query.getAll("group_by");
  for (const name of given) {
    if (!allowed.includes(name)) throw new QueryError(`group_by must be one of ${allowed.join(", ")}, got "${name}"`);
  }
  return given.length ? given : fallback;
}

function whole(text: string | null, name: string, fallback: number, min: number, max: number): number {
  if (text === null) return fallback;
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max)
    throw new QueryError(`${name} must be an integer between ${min} and ${max}, got "${text}"`);
  return Number(text);
}

function dateTime(text: string, name: string): number {
  const ms = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(ms)) throw new QueryError(`${name} must be an ISO 8601 date-time, got "${text}"`);
  return ms;
}

function date(text: string, name: string): number {
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(text) ? Date.parse(`${text}T00:00:00Z`) : Number.NaN;
  if (Number.isNaN(ms)) throw new QueryError(`${name} must be a date (YYYY-MM-DD), got "${text}"`);
  return ms;
}

const inRange = (record: Billed, start: number, end: number) => record.receivedAt >= start && record.receivedAt < end;
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
