// Values shared by the vitest config (Node) and the tests (workerd); none of them is a real secret.
export const CACHE_SALT = "test-cache-salt-not-a-secret";
/** The gateway token callers present in operator mode; the config binds only its SHA-256. */
export const GATEWAY_TOKEN = "test-gateway-token";
/** The emulator's default workspace key, which the gateway uses upstream in operator mode. */
export const EMULATOR_KEY = "emulator-key";
/** Outbound requests to this host are answered by a hostile upstream (see vitest.config.mts). */
export const HOSTILE_HOST = "hostile.baseten.test";
/** Outbound requests to this host never get response headers; GET /__state counts them and their cancellations. */
export const HUNG_HOST = "hung.baseten.test";
/** The admin token of the limits API (policies, every key's usage); the config binds only its SHA-256. */
export const ADMIN_TOKEN = "test-admin-token";
/** Outbound chat completions to this host stream one event and half of the next, then break; the rest is the emulator's. */
export const BROKEN_HOST = "broken.baseten.test";
/** What BROKEN_HOST streams before the connection breaks. */
export const BROKEN_PARTS = [
  'data: {"choices":[{"index":0,"delta":{"content":"Hel"}}]}\n\n',
  'data: {"choices":[{"delta":{"content":"lo wor',
];
/** A caller whose User-Agent starts with this asks the emulator for the fault written after it (e.g. `cut-after=3`). */
export const FAULT_AGENT = "emulator-fault:";
