// The catalog page's rows: each Model API joined with its /v1/models entry (features, modalities).
import {
  CATALOG_FEATURES,
  type CatalogFeature,
  type InferenceModel,
  type ModelApi,
  type PerMinuteLimits,
  pricesOf,
  rateLimitsPerMinute,
} from "@baseten-edge/core";

export interface PageRow {
  name: string;
  displayName: string;
  family: string | null;
  description: string;
  contextLength: number;
  /** Dollars per million tokens as exact decimal text; null when Baseten has no price. */
  inputPrice: string | null;
  outputPrice: string | null;
  limits: PerMinuteLimits;
  features: CatalogFeature[];
  inputModalities: string[];
  outputModalities: string[];
  /** Whether the workspace has added it; null for anonymous callers, who see no workspace details. */
  added: boolean | null;
}

/** Joins catalog rows with the inference model list by display name, as `/api/models/list` does. */
export function pageRows(rows: readonly ModelApi[], models: readonly InferenceModel[], anonymous: boolean): PageRow[] {
  const byName = new Map(models.flatMap((m) => (m.name ? [[m.name.toLowerCase(), m] as const] : [])));
  return rows.map((row) => {
    const model = byName.get(row.display_name.toLowerCase());
    const prices = pricesOf(row);
    return {
      name: row.name,
      displayName: row.display_name,
      family: row.model_family ?? null,
      description: row.description,
      contextLength: row.context_length,
      inputPrice: prices.inputPerMillion,
      outputPrice: prices.outputPerMillion,
      limits: rateLimitsPerMinute(row.rate_limits ?? []),
      features: featuresOf(model),
      inputModalities: model?.input_modalities ?? [],
      outputModalities: model?.output_modalities ?? [],
      added: anonymous ? null : Boolean(row.org_details),
    };
  });
}

/** As `/api/models/list` reads them: the model's supported features, and vision from image input. */
function featuresOf(model: InferenceModel | undefined): CatalogFeature[] {
  if (!model) return [];
  const features = new Set<string>(model.supported_features ?? []);
  if (model.input_modalities?.includes("image")) features.add("vision");
  return CATALOG_FEATURES.filter((f) => features.has(f));
}
