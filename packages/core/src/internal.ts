// @baseten-edge/core/internal: what the gateway and the emulator share with core.
// UNSTABLE: not covered by semver. Anything here may change or go in any release; applications
// should import from "@baseten-edge/core" only.

export { base64url, hex, sameText, sha256Hex } from "./encoding.ts";
export { parseErrorBody, retryAfterMs } from "./errors.ts";
export { abortableSleep, type FetchPolicy, sendWithRetries } from "./fetch.ts";
export { assertPathSegment } from "./path-segment.ts";
export { createSseParser, type ServerSentEvent, type SseParser, SseParserStream } from "./sse.ts";
