// What the gateway-key suites share: the admin and static tokens, the model, and a chat body.
export const ADMIN = "admin-token-0123456789abcdef";
export const STATIC = "static-gateway-token-for-tests";
export const MODEL = "openai/gpt-oss-120b";

/** A small chat-completions body for MODEL, with any extra fields. */
export const chat = (extra: Record<string, unknown> = {}) => ({
  model: MODEL,
  messages: [{ role: "user", content: "Say hello." }],
  ...extra,
});
