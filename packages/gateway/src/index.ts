// @baseten-edge/gateway: a portable fetch handler in front of Baseten (the cached Model API catalog).

export type { AuthOptions } from "./auth.ts";
export { createGateway, type Gateway, type WaitUntilContext } from "./gateway.ts";
export type { AccountOp, AccountResult, KeyPolicy } from "./limits/account.ts";
export { type AtomicCells, atomicStore, type LimitStore, memoryCells } from "./limits/store.ts";
export {
  ConfigurationError,
  ENV_VARS,
  type GatewayEvent,
  type GatewayOptions,
  gatewayOptionsFromEnv,
  type LimitsOptions,
} from "./options.ts";
export type { CatalogStore, EntryMetadata, StoredEntry } from "./store.ts";
export { memoryStore } from "./stores/memory.ts";
