// GET /api/models/list: catalog search in the list shape chat front ends (Open WebUI) expect, with
// Open WebUI's own parameter handling: empty values and unknown parameters are ignored, page < 1
// is page 1, an unknown order_by or direction falls back to the default order.
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
import { inferenceModelFor } from "./model-names.ts";

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
/** Who owns every catalog model in Open WebUI's terms: Baseten, never the caller. */
const OWNER = { id: "baseten", name: "Baseten", email: "" } as const;
/** Open WebUI's default model picture, which its front end serves itself. */
const PROFILE_IMAGE_URL = "/static/favicon.png";

export interface ParsedSearch {
  options: Omit<SearchOptions, "query"> & { tag?: string; query?: string; viewOption?: string };
}

/**
 * Reads and checks the query string: the one validation of search parameters. Every problem is a
 * 400 message before any upstream call, and the options built here are always ones core's
 * `searchCatalog` accepts (a known ordering, asc/desc, page >= 1, known features, decimal prices),
 * so rendering never refuses them afterwards.
 */
export function searchParams(query: URLSearchParams): ({ ok: true } & ParsedSearch) | { ok: false; message: string } {
  const options: ParsedSearch["options"] = { pageSize: PAGE_SIZE, orderBy: "release_date", direction: "desc" };
  // Open WebUI's front end sends every parameter, empty when unset; its backend treats empty as absent.
  const text = (name: string) => query.get(name) || undefined;
  const whole = (name: string): number | null | undefined => {
    const value = text(name);
    if (value === undefined) return undefined;
    return /^\d{1,9}$/.test(value) ? Number(value) : null;
  };

  // Own keys only: `__proto__` or `constructor` is an unknown ordering (the default), not Object's.
  const orderByText = text("order_by") ?? "";
  if (Object.hasOwn(ORDER_BY, orderByText)) options.orderBy = ORDER_BY[orderByText] as CatalogOrderBy;
  if (text("direction") === "asc") options.direction = "asc";
  const pageText = text("page");
  if (pageText !== undefined && !/^[-+]?\d{1,9}$/.test(pageText))
    return { ok: false, message: "page must be a whole number." };
  if (pageText !== undefined) options.page = Math.max(1, Number(pageText));
  const viewOption = text("view_option");
  if (viewOption !== undefined) options.viewOption = viewOption;
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

/** The features of a catalog row, from its inference model (the catalog page shows the same). */
export function featuresOf(model: InferenceModel | undefined): CatalogFeature[] {
  if (!model) return [];
  const features = new Set<string>(model.supported_features ?? []);
  if (model.input_modalities?.includes("image")) features.add("vision");
  return CATALOG_FEATURES.filter((f) => features.has(f));
}

/**
 * Open WebUI's capability keys (its model editor's list) with what this model and the gateway
 * really offer: the front end's own features that need its server (web search, code interpreter…)
 * are false; `function_calling` is the key seed 004's example uses.
 */
function openWebUiCapabilities(features: readonly CatalogFeature[]): Record<string, boolean> {
  const tools = features.includes("tools");
  return {
    vision: features.includes("vision"),
    function_calling: tools,
    builtin_tools: tools,
    usage: true,
    file_upload: false,
    file_context: false,
    web_search: false,
    image_generation: false,
    code_interpreter: false,
    terminal: false,
    citations: false,
    status_updates: false,
  };
}

type Entry = CatalogEntry & { features: CatalogFeature[]; base: InferenceModel | undefined };

/** One item in seed 004's shape; every field has a value (documented in the README), the catalog row under `model`. */
function openWebUiItem({ features, base, ...row }: Entry) {
  const created = Math.floor(Date.parse(row.release_date) / 1000) || 0;
  return {
    id: row.name,
    user_id: OWNER.id,
    base_model_id: base?.id ?? null,
    name: row.display_name,
    params: {},
    meta: {
      profile_image_url: PROFILE_IMAGE_URL,
      description: row.description,
      capabilities: {
        ...openWebUiCapabilities(features),
        ...Object.fromEntries(CATALOG_FEATURES.map((f) => [f, features.includes(f)])),
      },
      tags: [...(row.model_family ? [row.model_family] : []), ...features].map((name) => ({ name })),
    },
    access_grants: [],
    is_active: true,
    write_access: false,
    user: { ...OWNER },
    created_at: created,
    updated_at: created,
    model: row,
  };
}

/** Open WebUI's `query`: every word in the id, name, base_model_id, description or family. */
function matchesQuery(entry: Entry, query: string | undefined): boolean {
  const words = (query ?? "").toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const text = [entry.name, entry.display_name, entry.base?.id ?? "", entry.description, entry.model_family ?? ""]
    .join("\n")
    .toLowerCase();
  return words.every((word) => text.includes(word));
}

/** `{ items, total }` as seed 004 describes. */
export function searchResponse(
  rows: readonly ModelApi[],
  models: readonly InferenceModel[],
  options: ParsedSearch["options"],
) {
  const { tag, query, viewOption, ...search } = options;
  // "created": models the caller made; the catalog is Baseten's, so none. "shared" and others: all.
  if (viewOption === "created") return { items: [], total: 0 };
  let entries: Entry[] = rows.map((row) => {
    const base = inferenceModelFor(row, models);
    return { ...row, base, features: featuresOf(base) };
  });
  entries = entries.filter((entry) => matchesQuery(entry, query));
  if (tag !== undefined) {
    const wanted = tag.toLowerCase();
    entries = entries.filter(
      (e) => (e.model_family ?? "").toLowerCase() === wanted || e.features.includes(wanted as CatalogFeature),
    );
  }
  const { items, total } = searchCatalog(entries, search);
  return { items: items.map(openWebUiItem), total };
}
