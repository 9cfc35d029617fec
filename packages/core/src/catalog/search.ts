// Catalog search: filter, order and page a list of Model APIs, for chat front ends and the gateway.
import { InvalidArgumentError } from "../errors.ts";
import type { ModelApi } from "../types.ts";
import { compareDecimal, type Decimal, parseDecimal } from "./decimal.ts";

/** Features a model may support (the names of `/v1/models` `supported_features`, plus vision). */
export type CatalogFeature = "tools" | "reasoning" | "vision" | "json_mode" | "structured_outputs";
export const CATALOG_FEATURES: readonly CatalogFeature[] = [
  "tools",
  "reasoning",
  "vision",
  "json_mode",
  "structured_outputs",
];

export type CatalogOrderBy =
  | "name"
  | "display_name"
  | "release_date"
  | "context_length"
  | "input_price"
  | "output_price";
export const CATALOG_ORDER_BY: readonly CatalogOrderBy[] = [
  "name",
  "display_name",
  "release_date",
  "context_length",
  "input_price",
  "output_price",
];

/** A catalog row, optionally with the features it supports (joined from `/v1/models` or docs). */
export type CatalogEntry = ModelApi & { features?: readonly string[] };

export interface SearchOptions {
  /** Case-insensitive words, each found in the name, display name, description or family. */
  query?: string;
  /** `model_family`, case-insensitive. */
  family?: string;
  /** Only models with every one of these features. */
  feature?: CatalogFeature | readonly CatalogFeature[];
  minContext?: number;
  /** Dollars per million input tokens, inclusive. A model whose price is unknown never matches. */
  maxInputPrice?: number | string;
  /** Dollars per million output tokens, inclusive. A model whose price is unknown never matches. */
  maxOutputPrice?: number | string;
  orderBy?: CatalogOrderBy;
  direction?: "asc" | "desc";
  /** 1-based page number (default 1). */
  page?: number;
  /** Rows per page, 1..1000 (default 30). */
  pageSize?: number;
}

export interface SearchResult<T> {
  items: T[];
  /** Matches across all pages. */
  total: number;
  page: number;
  pageSize: number;
}

/**
 * Filters, orders (stably, ties by name) and pages catalog rows. Invalid options throw
 * `InvalidArgumentError`. Rows with an unknown (null) price never match a price bound and sort
 * last by that price in either direction.
 *
 * @example
 * ```ts
 * import { searchCatalog, type CatalogEntry } from "@baseten-edge/core";
 * declare const catalog: CatalogEntry[];
 * const { items, total } = searchCatalog(catalog, { query: "deepseek", feature: "tools", orderBy: "input_price" });
 * ```
 */
export function searchCatalog<T extends CatalogEntry>(
  items: readonly T[],
  options: SearchOptions = {},
): SearchResult<T> {
  const { orderBy = "name", direction = "asc", page = 1, pageSize = 30 } = options;
  if (!CATALOG_ORDER_BY.includes(orderBy)) throw invalid("orderBy", orderBy, CATALOG_ORDER_BY.join(", "));
  if (direction !== "asc" && direction !== "desc") throw invalid("direction", direction, "asc, desc");
  if (!Number.isSafeInteger(page) || page < 1) throw invalid("page", page, "a whole number >= 1");
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000) throw invalid("pageSize", pageSize, "1..1000");
  const features = options.feature === undefined ? [] : ([] as CatalogFeature[]).concat(options.feature);
  for (const feature of features) {
    if (!CATALOG_FEATURES.includes(feature)) throw invalid("feature", feature, CATALOG_FEATURES.join(", "));
  }
  const { minContext } = options;
  if (minContext !== undefined && !(minContext >= 0)) throw invalid("minContext", minContext, "a number >= 0");
  const maxInput = priceLimit("maxInputPrice", options.maxInputPrice);
  const maxOutput = priceLimit("maxOutputPrice", options.maxOutputPrice);
  const words = (options.query ?? "").toLowerCase().split(/\s+/).filter(Boolean);
  const family = options.family?.toLowerCase();

  const matches = items.filter((item) => {
    if (family !== undefined && (item.model_family ?? "").toLowerCase() !== family) return false;
    if (options.minContext !== undefined && item.context_length < options.minContext) return false;
    if (maxInput && !withinBound(price(item, "input"), maxInput)) return false;
    if (maxOutput && !withinBound(price(item, "output"), maxOutput)) return false;
    if (features.some((f) => !item.features?.includes(f))) return false;
    if (words.length === 0) return true;
    const text = [item.name, item.display_name, item.description, item.model_family ?? ""].join("\n").toLowerCase();
    return words.every((word) => text.includes(word));
  });

  const sign = direction === "asc" ? 1 : -1;
  const sorted = matches.sort(
    (a, b) => compareBy(orderBy, sign, a, b) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
  const start = (page - 1) * pageSize;
  return { items: sorted.slice(start, start + pageSize), total: matches.length, page, pageSize };
}

function compareBy(orderBy: CatalogOrderBy, sign: number, a: CatalogEntry, b: CatalogEntry): number {
  switch (orderBy) {
    case "context_length":
      return sign * (a.context_length - b.context_length);
    case "input_price":
    case "output_price": {
      const side = orderBy === "input_price" ? "input" : "output";
      const x = price(a, side);
      const y = price(b, side);
      // Unknown prices go last whatever the direction: "cheapest first" must not start with them.
      return x === null || y === null ? Number(x === null) - Number(y === null) : sign * compareDecimal(x, y);
    }
    default: {
      const x = a[orderBy].toLowerCase();
      const y = b[orderBy].toLowerCase();
      return sign * (x < y ? -1 : x > y ? 1 : 0);
    }
  }
}

/** An unknown price never matches a bound: it may be anything. */
const withinBound = (value: Decimal | null, bound: Decimal): boolean =>
  value !== null && compareDecimal(value, bound) <= 0;

/** A row's price, or null when Baseten has none for it ("Null when pricing is unavailable"). */
function price(item: ModelApi, side: "input" | "output"): Decimal | null {
  const value = side === "input" ? item.cost_per_million_input_tokens : item.cost_per_million_output_tokens;
  return value === null ? null : parseDecimal(value);
}

function priceLimit(label: string, value: number | string | undefined): Decimal | null {
  if (value === undefined) return null;
  try {
    return parseDecimal(value);
  } catch {
    throw invalid(label, value, "a decimal number of dollars per million tokens");
  }
}

function invalid(label: string, value: unknown, expected: string): InvalidArgumentError {
  return new InvalidArgumentError(`${label} ${JSON.stringify(value)} is not valid: expected ${expected}.`);
}
