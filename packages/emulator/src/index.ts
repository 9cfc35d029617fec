// @baseten-edge/emulator: a local, web-standard stand-in for Baseten's management and inference APIs.

export {
  ALL_LIMIT_TYPES,
  DEFAULT_MODELS,
  DEFAULT_RATE_LIMITS,
  type ModelSpec,
  type ReasoningMode,
} from "./catalog/default-models.ts";
export { createEmulator, type Emulator, type EmulatorOptions } from "./emulator.ts";
export { FAULT_HEADER, type FaultSpec, FaultSyntaxError, parseFaults, type QueuedFault } from "./faults.ts";
export { EmulatedNetworkError } from "./network-error.ts";
export {
  type Cassette,
  type Interaction,
  parseCassette,
  type RecordedRequest,
  type RecordedResponse,
  ReplayIndex,
  recordedResponse,
} from "./replay.ts";
export type { RequestRecord } from "./request-log.ts";
export { DEFAULT_API_KEY, type OrgDetailsOption, type WorkspaceOptions } from "./workspaces.ts";
