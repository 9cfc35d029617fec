// The public entry is a promise kept across versions: it holds what applications call, nothing the gateway borrows.
import { describe, expect, it } from "vitest";
import * as core from "../src/index.ts";
import * as internal from "../src/internal.ts";

describe("the public entry", () => {
  it("does not export the helpers that live behind @baseten-edge/core/internal", () => {
    const leaked = Object.keys(internal).filter((name) => name in core);
    expect(leaked).toEqual([]);
  });

  it("exports the clients, the errors and the catalog helpers", () => {
    for (const name of ["createBasetenClient", "createInferenceClient", "ApiError", "estimateCost", "searchCatalog"]) {
      expect(core).toHaveProperty(name);
    }
  });
});

describe("the internal entry", () => {
  it("exports the helpers the gateway and the emulator use", () => {
    expect(Object.keys(internal).sort()).toEqual([
      "SseParserStream",
      "abortableSleep",
      "assertPathSegment",
      "base64url",
      "createSseParser",
      "hex",
      "parseErrorBody",
      "retryAfterMs",
      "sameText",
      "sendWithRetries",
      "sha256Hex",
    ]);
  });

  it("encodes bytes and digests as the gateway's keys and the emulator's markers expect", async () => {
    const bytes = new Uint8Array([0xfb, 0xff, 0x00, 0x3e, 0x3f]);
    expect(internal.hex(bytes)).toBe("fbff003e3f");
    // RFC 4648 §5: "-" and "_" for "+" and "/", no padding.
    expect(internal.base64url(bytes)).toBe("-_8APj8");
    expect(await internal.sha256Hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(internal.sameText("a-mac", "a-mac")).toBe(true);
    expect(internal.sameText("a-mac", "a-mad")).toBe(false);
    expect(internal.sameText("a-mac", "a-ma")).toBe(false);
    expect(internal.sameText("", "x")).toBe(false);
  });
});
