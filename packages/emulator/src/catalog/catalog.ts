// The emulator's catalog: management rows, the /v1/models body and the model ids inference accepts.
import { type InferenceModel, type ModelApi, perTokenToPerMillion } from "@baseten-edge/core";
import { pythonJson } from "../python-json.ts";
import { DEFAULT_MODELS, DEFAULT_RATE_LIMITS, type ModelSpec, type ReasoningMode } from "./default-models.ts";
import { syntheticModels } from "./synthetic.ts";
import { WARMUP_MODELS_BODY } from "./warmup.generated.ts";

/** A model inference answers for. */
export interface InferenceTarget {
  inferenceId: string;
  /** The management slug, when the model is in the management catalog. */
  name: string | undefined;
  reasoning: ReasoningMode;
  maxCompletionTokens: number;
  /** Whether it takes images (its `/v1/models` input modalities). */
  vision: boolean;
  /** Where its prices come from: its catalog row, or its recorded `/v1/models` entry (what billing charges). */
  priced: ModelApi | InferenceModel;
}

export interface Catalog {
  /** Management rows in list order, before any workspace overlay. */
  readonly rows: readonly ModelApi[];
  readonly byName: ReadonlyMap<string, ModelApi>;
  readonly inference: ReadonlyMap<string, InferenceTarget>;
  /** The exact body of `GET /v1/models`, encoded once (it is large with many synthetic models). */
  readonly modelsBody: Uint8Array<ArrayBuffer>;
}

export interface CatalogOptions {
  syntheticCount: number;
  seed: number;
  invokeUrl: string;
}

export function buildCatalog({ syntheticCount, seed, invokeUrl }: CatalogOptions): Catalog {
  const synthetic = syntheticModels(syntheticCount, seed);
  const specs = [...DEFAULT_MODELS, ...synthetic];
  const rows = specs.map((spec, i) => managementRow(spec, i, invokeUrl));
  const recorded = (JSON.parse(WARMUP_MODELS_BODY) as { data: InferenceModel[] }).data;

  const inference = new Map<string, InferenceTarget>();
  for (const model of recorded) {
    inference.set(model.id, {
      inferenceId: model.id,
      name: undefined,
      reasoning: model.supported_features?.includes("reasoning") ? "default" : "none",
      maxCompletionTokens: model.max_completion_tokens ?? 4096,
      vision: model.input_modalities?.includes("image") ?? false,
      priced: model,
    });
  }
  for (const [i, spec] of specs.entries()) {
    inference.set(spec.inferenceId, {
      inferenceId: spec.inferenceId,
      name: spec.name,
      reasoning: spec.reasoning,
      maxCompletionTokens: spec.maxCompletionTokens,
      vision: spec.vision,
      priced: rows[i] as ModelApi,
    });
  }

  // Every catalog row is callable, so each has a /v1/models entry: the recorded entries stay byte for
  // byte, the catalog's unrecorded models and the synthetic ones follow in the same shape.
  const recordedIds = new Set(recorded.map((model) => model.id));
  const added = specs.filter((spec) => !recordedIds.has(spec.inferenceId)).map(inferenceEntry);
  const modelsBody = `${WARMUP_MODELS_BODY.slice(0, -"]}".length)}${added.map((entry) => `, ${pythonJson(entry)}`).join("")}]}`;
  return {
    rows,
    byName: new Map(rows.map((row) => [row.name, row])),
    inference,
    modelsBody: new TextEncoder().encode(modelsBody),
  };
}

function managementRow(spec: ModelSpec, index: number, invokeUrl: string): ModelApi {
  const { input: inputPerToken, output: outputPerToken } = spec.pricePerToken;
  const input = inputPerToken === null ? null : perTokenToPerMillion(inputPerToken);
  const output = outputPerToken === null ? null : perTokenToPerMillion(outputPerToken);
  // The spec allows a number or a decimal string; alternate so clients must handle both.
  const asNumber = index % 2 === 0;
  return {
    name: spec.name,
    display_name: spec.displayName,
    description: spec.description,
    model_family: spec.modelFamily,
    release_date: spec.releaseDate,
    invoke_url: invokeUrl,
    context_length: spec.contextLength,
    cost_per_million_input_tokens: asNumber && input !== null ? Number(input) : input,
    cost_per_million_output_tokens: asNumber && output !== null ? Number(output) : output,
    rate_limits: (spec.rateLimits ?? DEFAULT_RATE_LIMITS).map((limit) => ({ ...limit })),
    org_details: null,
  };
}

function inferenceEntry(spec: ModelSpec): InferenceModel & Record<string, unknown> {
  const features = ["tools", "json_mode", "structured_outputs", ...(spec.reasoning === "none" ? [] : ["reasoning"])];
  return {
    id: spec.inferenceId,
    created: Math.floor(Date.parse(`${spec.releaseDate}T00:00:00Z`) / 1000),
    object: "model",
    owned_by: "baseten",
    name: spec.displayName,
    description: spec.description,
    context_length: spec.contextLength,
    max_completion_tokens: spec.maxCompletionTokens,
    quantization: "fp8",
    ...pricingOf(spec),
    supported_sampling_parameters: ["temperature", "stop"],
    supported_features: features,
    input_modalities: spec.vision ? ["text", "image"] : ["text"],
    output_modalities: ["text"],
  };
}

/** /v1/models `pricing`, left out (as for an unpriced model) when either price is unknown. */
function pricingOf(spec: ModelSpec): Pick<InferenceModel, "pricing"> {
  const { input, output } = spec.pricePerToken;
  if (input === null || output === null) return {};
  return { pricing: { prompt: input, completion: output, image: "0", request: "0", input_cache_read: input } };
}
