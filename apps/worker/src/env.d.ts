// Bindings a deployment may add that wrangler.jsonc does not declare (so `wrangler types` cannot know them).
// Optional secrets and an optional Analytics Engine dataset: the Worker runs without each of them.
interface Env {
  /** Operator mode: the Baseten key the gateway uses upstream (`wrangler secret put BASETEN_API_KEY`). */
  BASETEN_API_KEY?: string;
  /** Operator mode: comma-separated SHA-256 hex digests of accepted gateway tokens. */
  GATEWAY_TOKENS?: string;
  /** Limits (LIMITS bound): comma-separated SHA-256 hex digests of admin tokens (key policies API, every key's usage). */
  ADMIN_TOKENS?: string;
  /** Limits: `false` stops keeping each model's catalog rate_limits for the workspace (default true). */
  MODEL_LIMITS?: string;
  /** `all` (default): one log line per relayed request; `errors`: only for requests that failed or broke off. */
  REQUEST_LOG?: string;
  /** Each relayed request becomes one data point when an Analytics Engine dataset is bound as ANALYTICS. */
  ANALYTICS?: AnalyticsEngineDataset;
}
