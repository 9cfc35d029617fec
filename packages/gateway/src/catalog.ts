// Loads a caller's catalog and model list from Baseten through the tiered cache.
import {
  ApiError,
  createBasetenClient,
  createInferenceClient,
  type FetchLike,
  type InferenceModel,
  type ModelApi,
  pricesOf,
} from "@baseten-edge/core";
import type { Caller } from "./auth.ts";
import type { LookupBudget } from "./lookup-budget.ts";
import type { GatewayEvent } from "./options.ts";
import { type Entry, EvictingError, type Loader, type Lookup, type TieredCache } from "./tiered-cache.ts";

/** Baseten refused the caller's key: passed on to the caller, never cached, and evicts their entries. */
export class UpstreamAuthError extends EvictingError {
  readonly status: number;
  readonly upstreamMessage: string;
  constructor(status: number, upstreamMessage: string, alsoEvict: readonly string[]) {
    super(`Baseten answered ${status}`);
    this.status = status;
    this.upstreamMessage = upstreamMessage;
    this.alsoEvict = alsoEvict;
  }
}

/** A load that takes longer (headers and body) is abandoned, so one stalled answer cannot pin a key. */
const LOAD_TIMEOUT_MS = 30_000;

export interface Upstream {
  managementUrl: string;
  inferenceUrl: string;
  fetch?: FetchLike | undefined;
  /** Charged for each first look-up of a key (pass-through mode); none in operator mode. */
  budget?: LookupBudget | undefined;
  /** Told when a model list held entries the gateway cannot use (and dropped). */
  log?: ((event: GatewayEvent) => void) | undefined;
}

type WaitUntil = ((promise: Promise<unknown>) => void) | undefined;

export class CatalogSource {
  constructor(
    private readonly cache: TieredCache,
    private readonly upstream: Upstream,
  ) {}

  /**
   * Every Model API the caller's workspace sees, as Baseten answers it for their key. `client` is
   * the caller's address, charged when the key was never looked up (may throw `LookupLimited`).
   */
  catalog(caller: Caller, waitUntil: WaitUntil, client?: string): Promise<Lookup<ModelApi[]>> {
    return this.cache.get(
      catalogKey(caller),
      this.#charged(client, () => this.#loadCatalog(caller)),
      waitUntil,
    );
  }

  /** The inference model list (`/v1/models`) for the caller's key; `client` as for `catalog`. */
  models(caller: Caller, waitUntil: WaitUntil, client?: string): Promise<Lookup<InferenceModel[]>> {
    return this.cache.get(
      modelsKey(caller),
      this.#charged(client, () => this.#loadModels(caller)),
      waitUntil,
    );
  }

  /** Charges a first look-up to the budget before it reaches the upstream. */
  #charged<T>(client: string | undefined, load: () => Promise<T>): Loader<T> {
    return (known) => {
      if (!known) this.upstream.budget?.charge(client);
      return load();
    };
  }

  /** The caller's cached model list, without ever asking the upstream; null when none is cached. */
  cachedModels(caller: Caller): Promise<Entry<InferenceModel[]> | null> {
    return this.cache.peek(modelsKey(caller));
  }

  /** Reloads both lists now (the cron path), whatever their age. */
  async refresh(caller: Caller): Promise<void> {
    await Promise.all([
      this.cache.refresh(catalogKey(caller), () => this.#loadCatalog(caller)),
      this.cache.refresh(modelsKey(caller), () => this.#loadModels(caller)),
    ]);
  }

  async #loadCatalog(caller: Caller): Promise<ModelApi[]> {
    const client = createBasetenClient({ ...this.#clientOptions(caller), baseUrl: this.upstream.managementUrl });
    const rows: ModelApi[] = [];
    const signal = AbortSignal.timeout(LOAD_TIMEOUT_MS);
    return guard([modelsKey(caller)], async () => {
      for await (const row of client.modelApis.list({ limit: 1000, signal })) rows.push(row);
      return rows;
    });
  }

  async #loadModels(caller: Caller): Promise<InferenceModel[]> {
    const client = createInferenceClient({ ...this.#clientOptions(caller), baseUrl: this.upstream.inferenceUrl });
    const listed = await guard([catalogKey(caller)], () =>
      client.models.list({ signal: AbortSignal.timeout(LOAD_TIMEOUT_MS) }),
    );
    // Core checks only that `data` is an array; a field the routes cannot read would fail every
    // answer built from the cached list (the page and search too), so it never reaches the cache.
    // An entry keeps its place (the relay still knows its id) without the fields it spelt wrong.
    const models: InferenceModel[] = [];
    let repaired = 0;
    for (const entry of listed as unknown[]) {
      const model = readableModel(entry);
      if (model) models.push(model);
      if (model && model !== entry) repaired++;
    }
    const dropped = listed.length - models.length;
    if (dropped + repaired > 0) {
      this.upstream.log?.({ event: "models_unreadable", dropped, repaired, kept: models.length });
    }
    return models;
  }

  #clientOptions(caller: Caller) {
    const { apiKey, scheme } = caller.authorization;
    return {
      apiKey,
      authScheme: scheme,
      maxRetries: 1,
      timeoutMs: 10_000,
      ...(this.upstream.fetch ? { fetch: this.upstream.fetch } : {}),
    };
  }
}

/** Unix seconds a `Date` can hold (±8.64e15 ms): Anthropic's `created_at` is rendered from `created`. */
const MAX_UNIX_SECONDS = 8.64e12;

const isOptionalStrings = (value: unknown) =>
  value === undefined || value === null || (Array.isArray(value) && value.every((item) => typeof item === "string"));

/**
 * A `/v1/models` entry as the gateway reads it: null without a string `id` (every look-up and the
 * slug join need one); otherwise the entry itself, or a copy without each field that is not what
 * the routes read it as — `created` (Anthropic's order and `created_at`) becomes 0; `name`, the
 * feature and modality lists (search, the page) and prices core cannot read (the relay's costs:
 * then unknown) are left out.
 */
function readableModel(entry: unknown): InferenceModel | null {
  if (typeof entry !== "object" || entry === null) return null;
  const model = entry as Record<string, unknown>;
  if (typeof model.id !== "string" || model.id === "") return null;
  const wrong: string[] = [];
  if (typeof model.created !== "number" || !(Math.abs(model.created) <= MAX_UNIX_SECONDS)) wrong.push("created");
  if (model.name !== undefined && model.name !== null && typeof model.name !== "string") wrong.push("name");
  for (const list of ["supported_features", "input_modalities", "output_modalities"]) {
    if (!isOptionalStrings(model[list])) wrong.push(list);
  }
  try {
    pricesOf(entry as InferenceModel);
  } catch {
    wrong.push("pricing");
  }
  if (wrong.length === 0) return entry as InferenceModel;
  const copy = { ...model };
  for (const field of wrong) delete copy[field];
  if (wrong.includes("created")) copy.created = 0;
  return copy as unknown as InferenceModel;
}

const CATALOG = "catalog:";
const MODELS = "models:";
const catalogKey = (caller: Caller) => `${CATALOG}${caller.id}`;
const modelsKey = (caller: Caller) => `${MODELS}${caller.id}`;

/**
 * Whether a stored value (written by any version, maybe an older one) is what this version's loaders
 * keep for `key`: a catalog is an array of objects; a model list an array of entries `readableModel`
 * keeps as they are. For the tiered cache's `readable`.
 */
export function readableEntry(key: string, value: unknown): boolean {
  if (!Array.isArray(value)) return false;
  if (key.startsWith(MODELS)) return value.every((entry) => readableModel(entry) === entry);
  return value.every((row) => typeof row === "object" && row !== null && !Array.isArray(row));
}

/**
 * Turns Baseten's 401/403 into an error that evicts the caller's other entries too (`siblings`);
 * everything else stays as core threw it.
 */
async function guard<T>(siblings: readonly string[], load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
      const message = error.message.replace(/^\d+\s*/, "");
      throw new UpstreamAuthError(error.status, message, siblings);
    }
    throw error;
  }
}
