// @baseten-edge/core: a fetch-only client for Baseten's Model APIs, for every JavaScript runtime.
export { createBasetenClient, type BasetenClient, type ListOptions, type ListPageOptions } from "./management.ts";
export { createInferenceClient, type InferenceClient, type RequestOptions } from "./inference.ts";
export { ChatCompletionStream, StreamError } from "./stream.ts";
export { assertPathSegment } from "./path-segment.ts";
export { createSseParser, SseParserStream, type ServerSentEvent, type SseParser } from "./sse.ts";
export type { ClientOptions } from "./options.ts";
export { abortableSleep, neverReachedServer, type FetchLike } from "./fetch.ts";
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
  parseErrorBody,
  retryAfterMs,
} from "./errors.ts";
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
export { formatDecimal, parseDecimal, compareDecimal, type Decimal } from "./catalog/decimal.ts";
export {
  estimateCost,
  perMillionToPerToken,
  perTokenToPerMillion,
  pricesOf,
  tokensFromUsage,
  type CostEstimate,
  type Prices,
  type TokenCounts,
} from "./catalog/pricing.ts";
export { rateLimitsPerMinute, type PerMinuteLimits } from "./catalog/rate-limits.ts";
export {
  CATALOG_FEATURES,
  CATALOG_ORDER_BY,
  searchCatalog,
  type CatalogEntry,
  type CatalogFeature,
  type CatalogOrderBy,
  type SearchOptions,
  type SearchResult,
} from "./catalog/search.ts";
export type { paths as ManagementPaths, components as ManagementComponents } from "./generated/management.ts";
export type { components as InferenceComponents } from "./generated/inference.ts";
