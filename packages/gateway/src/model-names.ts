// One rule joining Baseten's two names for a model: the catalog's slug (`deepseek-v4-pro`) and the inference id
// (`deepseek-ai/DeepSeek-V4-Pro`). Search, the relay and the model look-ups all use it.
import type { InferenceModel } from "@baseten-edge/core";

/**
 * The catalog slug an inference id corresponds to: its last path segment, lowercased, with every run
 * of other characters as one dash. This is how every slug in Baseten's guide is derived
 * (`zai-org/GLM-4.7` → `glm-4-7`, `nvidia/Nemotron-120B-A12B` → `nemotron-120b-a12b`).
 */
export function slugOf(id: string): string {
  const tail = id.slice(id.lastIndexOf("/") + 1);
  return tail
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

/** A model of the list, named by its inference id (any case) or by its catalog slug. */
export interface FoundModel {
  model: InferenceModel;
  /**
   * True when the caller named the model otherwise than its id as listed (the catalog slug, or the id in
   * other letter case), so the upstream must be sent the listed id instead.
   */
  renamed: boolean;
}

export function findModel(models: readonly InferenceModel[], requested: string): FoundModel | undefined {
  // The id as listed is what nearly every request sends: found without lowercasing the list.
  const exact = models.find((m) => m.id === requested);
  if (exact) return { model: exact, renamed: false };
  const wanted = requested.toLowerCase();
  const byId = models.find((m) => m.id.toLowerCase() === wanted);
  if (byId) return { model: byId, renamed: true };
  // A slug has no slash; an id with one that did not match is simply unknown.
  if (wanted.includes("/")) return undefined;
  const bySlug = models.find((m) => slugOf(m.id) === wanted);
  return bySlug ? { model: bySlug, renamed: true } : undefined;
}

/** The inference model behind a catalog row: by slug first, then by display name (case-insensitive). */
export function inferenceModelFor(
  row: { name: string; display_name: string },
  models: readonly InferenceModel[],
): InferenceModel | undefined {
  const name = row.display_name.toLowerCase();
  return models.find((m) => slugOf(m.id) === row.name) ?? models.find((m) => m.name?.toLowerCase() === name);
}
