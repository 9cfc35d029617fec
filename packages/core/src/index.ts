// @baseten-edge/core: a fetch-only client for Baseten's Model APIs, for every JavaScript runtime.

export { compareDecimal, type Decimal, formatDecimal, parseDecimal } from "./catalog/decimal.ts";
export {
  type CostEstimate,
  estimateCost,
  type Prices,
  perMillionToPerToken,
  perTokenToPerMillion,
  pricesOf,
  type TokenCounts,
  tokensFromUsage,
} from "./catalog/pricing.ts";
export { type PerMinuteLimits, type RateLimitLike, rateLimitsPerMinute } from "./catalog/rate-limits.ts";
export {
  CATALOG_FEATURES,
  CATALOG_ORDER_BY,
  type CatalogEntry,
  type CatalogFeature,
  type CatalogOrderBy,
  type SearchOptions,
  type SearchResult,
  searchCatalog,
} from "./catalog/search.ts";
export {
  ApiError,
  AuthenticationError,
  BadRequestError,
  BasetenError,
  ConflictError,
  ConnectionError,
  InternalServerError,
  InvalidArgumentError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  TimeoutError,
  UnprocessableEntityError,
} from "./errors.ts";
export type { FetchLike } from "./fetch.ts";
export type { components as InferenceComponents } from "./generated/inference.ts";
export type { components as ManagementComponents, paths as ManagementPaths } from "./generated/management.ts";
export { createInferenceClient, type InferenceClient, type RequestOptions } from "./inference.ts";
export { type BasetenClient, createBasetenClient, type ListOptions, type ListPageOptions } from "./management.ts";
export type { ClientOptions } from "./options.ts";
export { ChatCompletionStream, StreamError } from "./stream.ts";
export type {
  AssistantMessage,
  ChatCompletion,
  ChatCompletionChoice,
  ChatCompletionChunk,
  ChatCompletionRequest,
  InferenceModel,
  InferencePaths,
  ModelApi,
  ModelApiOrgDetails,
  ModelApisPage,
  RateLimit,
  Usage,
} from "./types.ts";
