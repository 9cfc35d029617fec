// Loads a caller's catalog and model list from Baseten through the tiered cache.
import {
  ApiError,
  createBasetenClient,
  createInferenceClient,
  type FetchLike,
  type InferenceModel,
  type ModelApi,
} from "@baseten-edge/core";
import type { Caller } from "./auth.ts";
import { type Entry, EvictingError, type Lookup, type TieredCache } from "./tiered-cache.ts";

/** Baseten refused the caller's key: passed on to the caller, never cached, and evicts their entries. */
export class UpstreamAuthError extends EvictingError {
  constructor(readonly status: number, readonly upstreamMessage: string) {
    super(`Baseten answered ${status}`);
  }
}

export interface Upstream {
  managementUrl: string;
  inferenceUrl: string;
  fetch?: FetchLike | undefined;
}

type WaitUntil = ((promise: Promise<unknown>) => void) | undefined;

export class CatalogSource {
  constructor(
    private readonly cache: TieredCache,
    private readonly upstream: Upstream,
  ) {}

  /** Every Model API the caller's workspace sees, as Baseten answers it for their key. */
  catalog(caller: Caller, waitUntil: WaitUntil): Promise<Lookup<ModelApi[]>> {
    return this.cache.get(`catalog:${caller.id}`, () => this.#loadCatalog(caller), waitUntil);
  }

  /** The inference model list (`/v1/models`) for the caller's key. */
  models(caller: Caller, waitUntil: WaitUntil): Promise<Lookup<InferenceModel[]>> {
    return this.cache.get(`models:${caller.id}`, () => this.#loadModels(caller), waitUntil);
  }

  /** The caller's cached model list, without ever asking the upstream; null when none is cached. */
  cachedModels(caller: Caller): Promise<Entry<InferenceModel[]> | null> {
    return this.cache.peek(`models:${caller.id}`);
  }

  /** Reloads both lists now (the cron path), whatever their age. */
  async refresh(caller: Caller): Promise<void> {
    await Promise.all([
      this.cache.refresh(`catalog:${caller.id}`, () => this.#loadCatalog(caller)),
      this.cache.refresh(`models:${caller.id}`, () => this.#loadModels(caller)),
    ]);
  }

  async #loadCatalog(caller: Caller): Promise<ModelApi[]> {
    const client = createBasetenClient({ ...this.#clientOptions(caller), baseUrl: this.upstream.managementUrl });
    const rows: ModelApi[] = [];
    return guard(async () => {
      for await (const row of client.modelApis.list({ limit: 1000 })) rows.push(row);
      return rows;
    });
  }

  async #loadModels(caller: Caller): Promise<InferenceModel[]> {
    const client = createInferenceClient({ ...this.#clientOptions(caller), baseUrl: this.upstream.inferenceUrl });
    return guard(() => client.models.list());
  }

  #clientOptions(caller: Caller) {
    const { apiKey, scheme } = caller.authorization;
    return { apiKey, authScheme: scheme, maxRetries: 1, timeoutMs: 10_000, ...(this.upstream.fetch ? { fetch: this.upstream.fetch } : {}) };
  }
}

/** Turns Baseten's 401/403 into an evicting error; everything else stays as core threw it. */
async function guard<T>(load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
      const message = error.message.replace(/^\d+\s*/, "");
      throw new UpstreamAuthError(error.status, message);
    }
    throw error;
  }
}
