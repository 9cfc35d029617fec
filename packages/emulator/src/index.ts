// @baseten-edge/emulator: a local, web-standard stand-in for Baseten's management and inference APIs.
export { createEmulator, type Emulator, type EmulatorOptions } from "./emulator.ts";
export { DEFAULT_API_KEY, type OrgDetailsOption, type WorkspaceOptions } from "./workspaces.ts";
export { FAULT_HEADER, parseFaults, FaultSyntaxError, type FaultSpec, type QueuedFault } from "./faults.ts";
export { EmulatedNetworkError } from "./network-error.ts";
export { parseCassette, ReplayIndex, recordedResponse, type Cassette, type Interaction, type RecordedRequest, type RecordedResponse } from "./replay.ts";
export type { RequestRecord } from "./request-log.ts";
export { DEFAULT_MODELS, DEFAULT_RATE_LIMITS, type ModelSpec, type ReasoningMode } from "./catalog/default-models.ts";
