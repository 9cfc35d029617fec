// GET /api/models/list: catalog search in the list shape chat front ends (Open WebUI) expect.

import {
  CATALOG_FEATURES,
  type CatalogEntry,
  type CatalogFeature,
  type CatalogOrderBy,
  type InferenceModel,
  type ModelApi,
  type SearchOptions,
  searchCatalog,
} from "@baseten-edge/core";
import { clip } from "./echo.ts";

export const PAGE_SIZE = 30;

/** The seed's `order_by` values, plus the catalog's own orderings. */
const ORDER_BY: Record<string, CatalogOrderBy> = {
  name: "display_name",
  created_at: "release_date",
  updated_at: "release_date",
  release_date: "release_date",
  context_length: "context_length",
  input_price: "input_price",
  output_price: "output_price",
};
const PARAMS = new Set([
  "query",
  "tag",
  "order_by",
  "direction",
  "page",
  "view_option",
  "family",
  "feature",
  "min_context",
  "max_input_price",
  "max_output_price",
]);

export interface ParsedSearch {
  options: SearchOptions & { tag?: string };
}

/** Reads and checks the query string; every problem is a 400 message, nothing reaches the upstream. */
export function searchParams(query: URLSearchParams): ({ ok: true } & ParsedSearch) | { ok: false; message: string } {
  const unknown = [...query.keys()].find((key) => !PARAMS.has(key));
  if (unknown !== undefined)
    return { ok: false, message: `Unknown query parameter: ${JSON.stringify(clip(unknown))}.` };
  const options: ParsedSearch["options"] = { pageSize: PAGE_SIZE, orderBy: "release_date", direction: "desc" };
  const text = (name: string) => query.get(name) ?? undefined;
  const whole = (name: string): number | null | undefined => {
    const value = text(name);
    if (value === undefined) return undefined;
    return /^\d{1,9}$/.test(value) ? Number(value) : null;
  };

  const orderBy = text("order_by");
  if (orderBy !== undefined) {
    const mapped = ORDER_BY[orderBy];
    if (!mapped) return { ok: false, message: `order_by must be one of ${Object.keys(ORDER_BY).join(", ")}.` };
    options.orderBy = mapped;
  }
  const direction = text("direction");
  if (direction !== undefined) {
    if (direction !== "asc" && direction !== "desc") return { ok: false, message: "direction must be asc or desc." };
    options.direction = direction;
  }
  const page = whole("page");
  if (page === null || page === 0) return { ok: false, message: "page must be a whole number >= 1." };
  if (page !== undefined) options.page = page;
  const minContext = whole("min_context");
  if (minContext === null) return { ok: false, message: "min_context must be a whole number of tokens." };
  if (minContext !== undefined) options.minContext = minContext;
  const features = text("feature")
    ?.split(",")
    .map((f) => f.trim())
    .filter(Boolean);
  if (features) {
    const bad = features.find((f) => !(CATALOG_FEATURES as readonly string[]).includes(f));
    if (bad)
      return {
        ok: false,
        message: `feature must be among ${CATALOG_FEATURES.join(", ")}; got ${JSON.stringify(clip(bad))}.`,
      };
    options.feature = features as CatalogFeature[];
  }
  for (const [name, key] of [
    ["max_input_price", "maxInputPrice"],
    ["max_output_price", "maxOutputPrice"],
  ] as const) {
    const value = text(name);
    if (value === undefined) continue;
    if (!/^\d+(\.\d+)?$/.test(value))
      return { ok: false, message: `${name} must be a decimal number of dollars per million tokens.` };
    options[key] = value;
  }
  for (const [name, key] of [
    ["query", "query"],
    ["family", "family"],
    ["tag", "tag"],
  ] as const) {
    const value = text(name);
    if (value === undefined) continue;
    if (value.length > 200) return { ok: false, message: `${name} is too long (200 characters at most).` };
    options[key] = value;
  }
  return { ok: true, options };
}

/** The features of a catalog row, from the inference model of the same display name. */
function featuresOf(row: ModelApi, byName: Map<string, InferenceModel>): CatalogFeature[] {
  const model = byName.get(row.display_name.toLowerCase());
  if (!model) return [];
  const features = new Set<string>(model.supported_features ?? []);
  if (model.input_modalities?.includes("image")) features.add("vision");
  return CATALOG_FEATURES.filter((f) => features.has(f));
}

/** `{ items, total }` as seed 004 describes, each item carrying its catalog row under `model`. */
export function searchResponse(
  rows: readonly ModelApi[],
  models: readonly InferenceModel[],
  options: ParsedSearch["options"],
) {
  const byName = new Map(models.flatMap((m) => (m.name ? [[m.name.toLowerCase(), m] as const] : [])));
  let entries: (CatalogEntry & { features: CatalogFeature[] })[] = rows.map((row) => ({
    ...row,
    features: featuresOf(row, byName),
  }));
  const { tag, ...search } = options;
  if (tag !== undefined) {
    const wanted = tag.toLowerCase();
    entries = entries.filter(
      (e) => (e.model_family ?? "").toLowerCase() === wanted || e.features.includes(wanted as CatalogFeature),
    );
  }
  const { items, total } = searchCatalog(entries, search);
  return {
    items: items.map(({ features, ...row }) => {
      const created = Math.floor(Date.parse(row.release_date) / 1000) || 0;
      const base = byName.get(row.display_name.toLowerCase());
      return {
        id: row.name,
        name: row.display_name,
        base_model_id: base?.id ?? null,
        meta: {
          description: row.description,
          capabilities: Object.fromEntries(CATALOG_FEATURES.map((f) => [f, features.includes(f)])),
          tags: [...(row.model_family ? [row.model_family] : []), ...features].map((name) => ({ name })),
        },
        is_active: true,
        created_at: created,
        updated_at: created,
        model: row,
      };
    }),
    total,
  };
}
