// @baseten-edge/gateway: a portable fetch handler in front of Baseten (the cached Model API catalog).
export { createGateway, type Gateway, type WaitUntilContext } from "./gateway.ts";
export { ConfigurationError, ENV_VARS, gatewayOptionsFromEnv, type GatewayEvent, type GatewayOptions } from "./options.ts";
export type { AuthOptions } from "./auth.ts";
export type { CatalogStore, EntryMetadata, StoredEntry } from "./store.ts";
export { memoryStore } from "./memory-store.ts";
