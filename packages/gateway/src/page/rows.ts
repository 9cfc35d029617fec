// The catalog page's rows: each Model API joined with its /v1/models entry (features, modalities).
import {
  type CatalogFeature,
  type InferenceModel,
  type ModelApi,
  type PerMinuteLimits,
  pricesOf,
  rateLimitsPerMinute,
} from "@baseten-edge/core";
import { inferenceModelFor } from "../model-names.ts";
import { featuresOf } from "../search.ts";

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

/** Joins catalog rows with the inference model list as `/api/models/list` does (slug, then display name). */
export function pageRows(rows: readonly ModelApi[], models: readonly InferenceModel[], anonymous: boolean): PageRow[] {
  return rows.map((row) => {
    const model = inferenceModelFor(row, models);
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
